package io.derpwatch.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@org.junit.jupiter.api.Timeout(60)
/** The emulator's IPN bus read with raw HTTP/1.1 over a JDK Unix socket, independent of the agent's client. */
class IpnBusTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private LocalApiEmulator lab;

    @BeforeEach
    void start() {
        lab = LocalApiEmulator.start(dir.resolve("tailscaled.sock"));
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    @Test
    void watch_sendsTheInitialStateAndHealthTheMaskAsksFor() throws IOException {
        lab.ipnBus().raise("network-status", "high", "Network down", "Tailscale cannot connect.", true, Map.of());
        try (Watch w = new Watch(2 | 128)) {
            JsonNode first = w.next();
            assertThat(first.path("State").asInt()).isEqualTo(6);
            assertThat(first.path("SessionID").asText()).startsWith("lab-session-");
            assertThat(first.path("Health")
                            .path("Warnings")
                            .path("network-status")
                            .path("Severity")
                            .asText())
                    .isEqualTo("high");
            assertThat(w.head).contains("HTTP/1.1 200 OK").containsIgnoringCase("transfer-encoding: chunked");
            assertThat(lab.ipnBus().lastMask()).isEqualTo(130);
        }
    }

    @Test
    void watch_withoutInitialBitsSendsOnlyTheVersion() throws IOException {
        try (Watch w = new Watch(0)) {
            JsonNode first = w.next();
            assertThat(first.has("State")).isFalse();
            assertThat(first.has("Health")).isFalse();
            assertThat(first.path("Version").asText()).startsWith("1.98.4");
        }
    }

    @Test
    void raiseAndResolve_sendTheWholeHealthStateEachTime() throws IOException {
        try (Watch w = new Watch(2 | 128)) {
            w.next();
            lab.ipnBus()
                    .raise(
                            "no-derp-connection",
                            "medium",
                            "Relay server unavailable",
                            "t",
                            true,
                            Map.of("RegionID", "3"));
            JsonNode raised = w.next().path("Health").path("Warnings");
            assertThat(raised.path("no-derp-connection")
                            .path("Args")
                            .path("RegionID")
                            .asText())
                    .isEqualTo("3");
            assertThat(raised.path("no-derp-connection")
                            .path("ImpactsConnectivity")
                            .asBoolean())
                    .isTrue();
            lab.ipnBus().resolve("no-derp-connection");
            JsonNode resolved = w.next().path("Health").path("Warnings");
            assertThat(resolved.isObject()).isTrue();
            assertThat(resolved.has("no-derp-connection")).isFalse();
        }
    }

    @Test
    void stateAndHomeChange_areSentAsTheyHappen() throws IOException {
        try (Watch w = new Watch(2)) {
            w.next();
            lab.ipnBus().state(4);
            assertThat(w.next().path("State").asInt()).isEqualTo(4);
            lab.ipnBus().homeChange(7);
            assertThat(w.next().path("SelfChange").path("HomeDERP").asInt()).isEqualTo(7);
        }
    }

    @Test
    void fellBehind_sendsTheErrorThenEndsTheStream() throws IOException {
        try (Watch w = new Watch(2)) {
            w.next();
            lab.ipnBus().fellBehind();
            assertThat(w.next().path("ErrMessage").asText()).isEqualTo(IpnBus.FELL_BEHIND);
            assertThat(w.readToEnd()).contains("0\r\n\r\n");
        }
    }

    @Test
    void silentDisconnect_closesWithoutTheLastChunk() throws IOException {
        try (Watch w = new Watch(2)) {
            w.next();
            lab.ipnBus().silentDisconnect();
            assertThat(w.readToEnd()).doesNotContain("0\r\n\r\n");
        }
    }

    @Test
    void pre170Daemon_neverSendsHealth_andNoBusAnswers404() throws IOException {
        lab.ipnBus().support(IpnBus.Support.NO_STRUCTURED_HEALTH);
        try (Watch w = new Watch(2 | 128)) {
            assertThat(w.next().has("Health")).isFalse();
            lab.ipnBus().raise("x", "low", "t", "t", false, Map.of());
            lab.ipnBus().state(5);
            assertThat(w.next().path("State").asInt()).isEqualTo(5);
        }
        lab.ipnBus().support(IpnBus.Support.NO_BUS);
        try (Watch w = new Watch(2)) {
            assertThat(w.readToEnd()).startsWith("HTTP/1.1 404 Not Found");
        }
    }

    @Test
    void oversized_sendsOneRecordOfAtLeastTheSize() throws IOException {
        try (Watch w = new Watch(0)) {
            w.next();
            lab.ipnBus().oversized(100_000);
            await().atMost(Duration.ofSeconds(10)).until(() -> w.pendingBytes() > 100_000);
        }
    }

    /** A watch request on a raw socket; records are the chunk data lines that start with '{'. */
    private final class Watch implements AutoCloseable {
        private final SocketChannel ch;
        private final StringBuilder raw = new StringBuilder();
        private final List<JsonNode> records = new ArrayList<>();
        private String head = "";
        private int consumed;

        Watch(long mask) throws IOException {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(lab.socket()));
            String req =
                    "GET /localapi/v0/watch-ipn-bus?mask=" + mask + " HTTP/1.1\r\nHost: local-tailscaled.sock\r\n\r\n";
            ch.write(ByteBuffer.wrap(req.getBytes(StandardCharsets.US_ASCII)));
        }

        JsonNode next() throws IOException {
            while (records.isEmpty()) {
                if (!readSome()) {
                    throw new IOException("stream ended; got " + raw);
                }
                parse();
            }
            return records.remove(0);
        }

        long pendingBytes() throws IOException {
            readSome();
            return raw.length() - consumed;
        }

        String readToEnd() throws IOException {
            while (readSome()) {
                // keep reading
            }
            return raw.toString();
        }

        private boolean readSome() throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            int n = ch.read(buf);
            if (n < 0) {
                return false;
            }
            raw.append(new String(buf.array(), 0, n, StandardCharsets.UTF_8));
            return true;
        }

        private void parse() throws IOException {
            int end = raw.indexOf("\r\n\r\n");
            if (head.isEmpty() && end >= 0) {
                head = raw.substring(0, end);
                consumed = end + 4;
            }
            int nl;
            while (!head.isEmpty() && (nl = raw.indexOf("\n", consumed)) >= 0) {
                String line = raw.substring(consumed, nl).strip();
                consumed = nl + 1;
                if (line.startsWith("{")) {
                    records.add(JSON.readTree(line));
                }
            }
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
