package io.derpwatch.agent.localapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.derpwatch.agent.localapi.LocalApiException.Kind;
import io.derpwatch.lab.IpnBus;
import io.derpwatch.lab.LocalApiEmulator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.ResourceLeakDetector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The streaming request against the lab's IPN bus on a real Unix socket. */
class LocalApiStreamTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @TempDir
    Path dir;

    private EventLoopGroup group;
    private LocalApiEmulator lab;
    private LocalApiClient client;
    private final List<String> records = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        lab = LocalApiEmulator.start(dir.resolve("tailscaled.sock"));
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        client = new LocalApiClient(group, lab.socket(), Duration.ofSeconds(5), 1024 * 1024);
    }

    @AfterEach
    void stop() {
        lab.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private LocalApiStream watch(long cap) throws Exception {
        LocalApiStream s = client.stream(
                "/localapi/v0/watch-ipn-bus?mask=130", cap, r -> records.add(new String(r, StandardCharsets.UTF_8)));
        assertThat(s.opened().get(20, TimeUnit.SECONDS)).startsWith("1.98.4");
        await().atMost(WAIT).until(() -> records.size() == 1 && lab.ipnBus().watchers() == 1);
        return s;
    }

    private static Kind failure(LocalApiStream s) throws InterruptedException {
        try {
            s.ended().get(20, TimeUnit.SECONDS);
            throw new AssertionError("stream did not fail");
        } catch (ExecutionException e) {
            return ((LocalApiException) e.getCause()).kind();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("stream did not end", e);
        }
    }

    @Test
    void stream_deliversEachNotifyAsItIsSent_andStaysOpen() throws Exception {
        try (LocalApiStream s = watch(64 * 1024)) {
            assertThat(records.get(0)).contains("\"State\":6");
            lab.ipnBus().raise("no-derp-connection", "medium", "t", "x", true, Map.of());
            lab.ipnBus().state(4);
            await().atMost(WAIT).until(() -> records.size() == 3);
            assertThat(records.get(1)).contains("no-derp-connection");
            assertThat(records.get(2)).contains("\"State\":4");
            assertThat(s.ended()).isNotDone();
            assertThat(lab.lastRequest().orElseThrow().header("Connection")).isEmpty();
        }
        await().atMost(WAIT).until(() -> lab.ipnBus().watchers() == 0);
    }

    @Test
    void fellBehind_deliversTheErrorRecord_thenEndsNormally() throws Exception {
        LocalApiStream s = watch(64 * 1024);
        lab.ipnBus().fellBehind();
        s.ended().get(20, TimeUnit.SECONDS);
        assertThat(records.get(records.size() - 1)).contains(IpnBus.FELL_BEHIND);
    }

    @Test
    void silentDisconnect_isTruncated() throws Exception {
        LocalApiStream s = watch(64 * 1024);
        lab.ipnBus().silentDisconnect();
        assertThat(failure(s)).isEqualTo(Kind.TRUNCATED);
    }

    @Test
    void oversizedRecord_isAnError_notAnOutOfMemory() throws Exception {
        LocalApiStream s = watch(16 * 1024);
        lab.ipnBus().oversized(200_000);
        assertThat(failure(s)).isEqualTo(Kind.RECORD_TOO_LARGE);
        assertThat(records).hasSize(1);
    }

    @Test
    void daemonWithoutTheBus_failsWith404() throws Exception {
        lab.ipnBus().support(IpnBus.Support.NO_BUS);
        LocalApiStream s = client.stream("/localapi/v0/watch-ipn-bus?mask=2", 1024, r -> records.add("x"));
        assertThat(failure(s)).isEqualTo(Kind.HTTP_STATUS);
        assertThat(s.opened().isCompletedExceptionally()).isTrue();
    }

    @Test
    void missingSocket_failsTheStream() throws Exception {
        LocalApiClient nowhere = new LocalApiClient(group, dir.resolve("none.sock"), Duration.ofSeconds(5), 1024);
        LocalApiStream s = nowhere.stream("/localapi/v0/watch-ipn-bus?mask=2", 1024, r -> records.add("x"));
        assertThat(failure(s)).isEqualTo(Kind.SOCKET_MISSING);
    }
}
