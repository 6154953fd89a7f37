package io.derpwatch.agent.localapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.derpwatch.agent.localapi.LocalApiException.Kind;
import io.derpwatch.lab.LabNodeState;
import io.derpwatch.lab.LabRequest;
import io.derpwatch.lab.LocalApiEmulator;
import io.derpwatch.lab.Misbehaviour;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.ResourceLeakDetector;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The LocalAPI client against the lab emulator on a real Unix socket, over both transports (epoll when the
 * native library loads, and the JDK-backed NIO one), for a good answer and every bad one.
 */
class LocalApiClientTest {
    private static final long MAX_BODY = 1024 * 1024;
    /** Generous, so a slow shared machine does not turn other answers into timeouts. */
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static final Duration SHORT_TIMEOUT = Duration.ofMillis(700);

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    enum Transport {
        EPOLL,
        NIO
    }

    @TempDir
    Path dir;

    private EventLoopGroup group;
    private LocalApiEmulator lab;

    @AfterEach
    void tearDown() {
        if (lab != null) {
            lab.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private LocalApiClient client(Transport transport, Path socket) {
        return client(transport, socket, TIMEOUT);
    }

    private LocalApiClient client(Transport transport, Path socket, Duration timeout) {
        if (transport == Transport.EPOLL) {
            Assumptions.assumeTrue(Epoll.isAvailable(), "epoll native transport not available here");
        }
        group = new MultiThreadIoEventLoopGroup(
                1, transport == Transport.EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        return new LocalApiClient(group, socket, timeout, MAX_BODY);
    }

    private LocalApiClient clientWithLab(Transport transport) {
        lab = LocalApiEmulator.start(dir.resolve("tailscaled.sock"));
        return client(transport, lab.socket());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void status_isFetchedWithTailscaledsHostAndNoOriginOrReferer(Transport transport) throws Exception {
        LocalApiClient client = clientWithLab(transport);

        LocalApiResponse response =
                client.get("/localapi/v0/status?peers=false").get(20, TimeUnit.SECONDS);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.contentType()).isEqualTo("application/json");
        assertThat(response.tailscaleVersion()).isEqualTo("1.98.4-t9e69045b2-ged3a62f14");
        NodeStatus status = new StatusCodec().parse(response.body(), client.socket());
        assertThat(status.selfRelay()).isEqualTo(LabNodeState.DEFAULT_RELAY);
        LabRequest sent = lab.lastRequest().orElseThrow();
        assertThat(sent.uri()).isEqualTo("/localapi/v0/status?peers=false");
        assertThat(sent.header("Host")).containsExactly(LocalApiClient.LOCALAPI_HOST);
        assertThat(sent.header("Origin")).isEmpty();
        assertThat(sent.header("Referer")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void derpmap_null_isAnOrdinaryAnswer(Transport transport) throws Exception {
        LocalApiClient client = clientWithLab(transport);
        lab.update(s -> s.withDerpMapPresent(false));

        assertThat(client.get("/localapi/v0/derpmap").get(20, TimeUnit.SECONDS).bodyText())
                .isEqualTo("null\n");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void missingSocket_isSocketMissing(Transport transport) {
        LocalApiClient client = client(transport, dir.resolve("absent.sock"));

        assertFails(client.get("/localapi/v0/status"), Kind.SOCKET_MISSING, "absent.sock");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void staleSocket_isConnectionRefused(Transport transport) throws Exception {
        Path stale = dir.resolve("stale.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(stale));
        }
        assertThat(stale).exists();
        LocalApiClient client = client(transport, stale);

        assertFails(client.get("/localapi/v0/status"), Kind.CONNECTION_REFUSED, "stale.sock");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void garbageJson_isDeliveredAndRejectedByTheCodec(Transport transport) throws Exception {
        LocalApiClient client = clientWithLab(transport);
        lab.misbehave(Misbehaviour.GARBAGE_JSON);

        LocalApiResponse response = client.get("/localapi/v0/status").get(20, TimeUnit.SECONDS);

        assertThatThrownBy(() -> new StatusCodec().parse(response.body(), client.socket()))
                .isInstanceOfSatisfying(
                        LocalApiException.class, e -> assertThat(e.kind()).isEqualTo(Kind.MALFORMED_JSON));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void truncatedBody_isTruncated(Transport transport) {
        LocalApiClient client = clientWithLab(transport);
        lab.misbehave(Misbehaviour.TRUNCATED_BODY);

        assertFails(client.get("/localapi/v0/status"), Kind.TRUNCATED, "declared");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void oversizedBody_isRejectedFromItsContentLength(Transport transport) {
        LocalApiClient client = clientWithLab(transport);
        lab.misbehave(Misbehaviour.OVERSIZED_BODY);

        assertFails(client.get("/localapi/v0/status"), Kind.BODY_TOO_LARGE, "declares");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void oversizedChunkedBody_isCutAtTheLimit(Transport transport) {
        LocalApiClient client = clientWithLab(transport);
        lab.misbehave(Misbehaviour.OVERSIZED_CHUNKED_BODY);

        assertFails(client.get("/localapi/v0/status"), Kind.BODY_TOO_LARGE, "larger than max-body-size");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void socketThatNeverAnswers_timesOut(Transport transport) {
        lab = LocalApiEmulator.start(dir.resolve("tailscaled.sock"));
        LocalApiClient client = client(transport, lab.socket(), SHORT_TIMEOUT);
        lab.misbehave(Misbehaviour.NO_ANSWER);

        long start = System.nanoTime();
        assertFails(client.get("/localapi/v0/status"), Kind.TIMEOUT, "within");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(SHORT_TIMEOUT);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void serverError_isHttpStatusWithTheBody(Transport transport) {
        LocalApiClient client = clientWithLab(transport);
        lab.misbehave(Misbehaviour.SERVER_ERROR);

        assertFails(client.get("/localapi/v0/status"), Kind.HTTP_STATUS, "500");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void socketComingBack_isReadAgain(Transport transport) throws Exception {
        LocalApiClient client = clientWithLab(transport);
        assertThat(client.get("/localapi/v0/status").get(20, TimeUnit.SECONDS).status())
                .isEqualTo(200);

        lab.close();
        assertFails(client.get("/localapi/v0/status"), Kind.SOCKET_MISSING, "tailscaled.sock");

        lab = LocalApiEmulator.start(dir.resolve("tailscaled.sock"));
        assertThat(client.get("/localapi/v0/status").get(20, TimeUnit.SECONDS).status())
                .isEqualTo(200);
        assertThat(Files.exists(lab.socket())).isTrue();
    }

    private static void assertFails(CompletableFuture<LocalApiResponse> future, Kind kind, String messagePart) {
        assertThatThrownBy(() -> future.get(20, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(LocalApiException.class, e -> {
                    assertThat(e.kind()).as(e.getMessage()).isEqualTo(kind);
                    assertThat(e.getMessage()).contains(messagePart);
                });
    }
}
