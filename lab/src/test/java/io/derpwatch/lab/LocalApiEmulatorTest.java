package io.derpwatch.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The emulator spoken to with raw HTTP/1.1 over a JDK Unix socket, independent of the agent's client. */
class LocalApiEmulatorTest {
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
    void status_servesTheShippedDocumentWithTheLabState() throws IOException {
        lab.setState(LabNodeState.connected("r7").withHealth("some other warning"));

        Reply reply = get("/localapi/v0/status", "Host: local-tailscaled.sock");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("content-type")).isEqualTo("application/json");
        JsonNode doc = new ObjectMapper().readTree(reply.body());
        assertThat(doc.path("Version").asText()).isEqualTo("1.98.4-t9e69045b2-ged3a62f14");
        assertThat(doc.path("BackendState").asText()).isEqualTo("Running");
        assertThat(doc.path("Self").path("Relay").asText()).isEqualTo("r7");
        assertThat(doc.path("Health").get(0).asText()).isEqualTo("some other warning");
        assertThat(doc.path("Peer").isObject()).isTrue();
    }

    @Test
    void status_largeBodyIsChunkedLikeGoNetHttp() throws IOException {
        Reply reply = get("/localapi/v0/status", "Host: local-tailscaled.sock");

        assertThat(reply.header("transfer-encoding")).isEqualTo("chunked");
    }

    @Test
    void status_peersFalseLeavesPeerNull() throws IOException {
        Reply reply = get("/localapi/v0/status?peers=false", "Host: local-tailscaled.sock");

        assertThat(new ObjectMapper().readTree(reply.body()).get("Peer").isNull())
                .isTrue();
    }

    @Test
    void status_withoutSelfOmitsSelf() throws IOException {
        lab.update(s -> s.withSelfPresent(false).withBackendState("NeedsLogin"));

        JsonNode doc = new ObjectMapper()
                .readTree(get("/localapi/v0/status", "Host: local-tailscaled.sock")
                        .body());

        assertThat(doc.has("Self")).isFalse();
        assertThat(doc.path("BackendState").asText()).isEqualTo("NeedsLogin");
    }

    @Test
    void derpmap_isTheShippedMapOrNullWhenTheNodeHasNone() throws IOException {
        JsonNode map = new ObjectMapper()
                .readTree(get("/localapi/v0/derpmap", "Host: local-tailscaled.sock")
                        .body());
        assertThat(map.path("Regions").path("3").path("RegionCode").asText()).isEqualTo(LabNodeState.DEFAULT_RELAY);

        lab.update(s -> s.withDerpMapPresent(false));
        assertThat(get("/localapi/v0/derpmap", "Host: local-tailscaled.sock").body())
                .isEqualTo("null\n");
    }

    @Test
    void request_withOriginIsRejectedLikeTailscaled() throws IOException {
        Reply reply = get("/localapi/v0/status", "Host: local-tailscaled.sock", "Origin: http://evil.example");

        assertThat(reply.status()).isEqualTo(403);
        assertThat(reply.body()).isEqualTo("invalid localapi request\n");
    }

    @Test
    void request_withRefererIsRejectedLikeTailscaled() throws IOException {
        Reply reply = get("/localapi/v0/status", "Host: local-tailscaled.sock", "Referer: http://evil.example/");

        assertThat(reply.status()).isEqualTo(403);
    }

    @Test
    void request_withAnotherHostIsRejectedLikeTailscaled() throws IOException {
        Reply reply = get("/localapi/v0/status", "Host: localhost");

        assertThat(reply.status()).isEqualTo(403);
        assertThat(reply.body()).isEqualTo("invalid localapi request\n");
    }

    @Test
    void request_toAnUnknownPathIs404() throws IOException {
        assertThat(get("/localapi/v0/nope", "Host: local-tailscaled.sock").status())
                .isEqualTo(404);
    }

    @Test
    void misbehaviour_truncatedBodyDeclaresMoreThanItSends() throws IOException {
        lab.misbehave(Misbehaviour.TRUNCATED_BODY);

        Reply reply = get("/localapi/v0/status", "Host: local-tailscaled.sock");

        long declared = Long.parseLong(reply.header("content-length"));
        assertThat((long) reply.body().getBytes(StandardCharsets.UTF_8).length).isLessThan(declared);
    }

    @Test
    void misbehaviour_garbageIsNotJson() throws IOException {
        lab.misbehave(Misbehaviour.GARBAGE_JSON);

        Reply reply = get("/localapi/v0/status", "Host: local-tailscaled.sock");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).contains("<html>");
    }

    @Test
    void scenario_demoAlternatesConnectedAndNoDerpConnection() {
        Set<String> seen = new HashSet<>();
        try (ScenarioRunner runner = lab.run(LabScenario.demo(Duration.ofMillis(100)))) {
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                seen.add(
                        lab.state().health().isEmpty()
                                ? "connected"
                                : lab.state().health().get(0));
                return seen.size() == 2;
            });
            assertThat(runner.currentStep()).isIn("connected", "no-derp-connection");
        }
        assertThat(seen).contains("connected", LabNodeState.noDerpConnectionWarning("r3"));
    }

    @Test
    void logtap_refused_is403LogtapAccessDenied_likeTailscaledToAClientWithoutWritePermission() throws IOException {
        lab.logTap().refuse(true);

        Reply reply = get(LabLogTap.PATH, "Host: local-tailscaled.sock");

        assertThat(reply.status()).isEqualTo(403);
        assertThat(reply.body()).isEqualTo("logtap access denied\n");
        assertThat(lab.logTap().requests()).isEqualTo(1);
    }

    @Test
    void logtap_streamsTheConnectedRecordThenOneLogtailRecordPerLine_withThePrefixAsClientTime() throws Exception {
        lab.logTap()
                .replay(List.of(
                        "2022/03/28 07:42:19 magicsock: derp-9 connected; connGen=1",
                        "Jun 29 16:13:42 cy-server tailscaled[2036029]: magicsock: SetPrivateKey called (zeroed)"));
        java.util.concurrent.CompletableFuture<Reply> reply = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return get(LabLogTap.PATH, "Host: local-tailscaled.sock");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> lab.logTap().taps() == 1);
        lab.logTap().send("2026/04/16 23:39:37 magicsock: home is now derp-10 (sea)");
        lab.logTap().endAll(); // the tap never ends by itself; here the test ends it

        Reply r = reply.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("transfer-encoding")).isEqualTo("chunked");
        List<String> records = r.body().lines().toList();
        assertThat(records).hasSize(4);
        assertThat(records.get(0)).isEqualTo("{\"text\":\"[logtap connected]\\n\"}");
        ObjectMapper json = new ObjectMapper();
        JsonNode first = json.readTree(records.get(1));
        assertThat(first.path("text").asText()).isEqualTo("magicsock: derp-9 connected; connGen=1\n");
        assertThat(first.path("logtail").path("client_time").asText()).isEqualTo("2022-03-28T07:42:19Z");
        assertThat(first.path("logtail").path("proc_seq").asLong()).isPositive();
        assertThat(json.readTree(records.get(2)).path("text").asText())
                .isEqualTo("magicsock: SetPrivateKey called (zeroed)\n");
        assertThat(json.readTree(records.get(3))
                        .path("logtail")
                        .path("client_time")
                        .asText())
                .isEqualTo("2026-04-16T23:39:37Z");
    }

    private record Reply(int status, String head, String body) {
        String header(String name) {
            return head.lines()
                    .filter(l -> l.toLowerCase().startsWith(name.toLowerCase() + ":"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("");
        }
    }

    /** A raw HTTP/1.1 GET with Connection: close; reads to EOF and de-chunks the body when chunked. */
    private Reply get(String path, String... headers) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(lab.socket()));
            StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.1\r\n");
            for (String h : headers) {
                req.append(h).append("\r\n");
            }
            req.append("Connection: close\r\n\r\n");
            ch.write(ByteBuffer.wrap(req.toString().getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (ch.read(buf) >= 0) {
                buf.flip();
                out.write(buf.array(), 0, buf.limit());
                buf.clear();
            }
            String all = out.toString(StandardCharsets.UTF_8);
            int split = all.indexOf("\r\n\r\n");
            String head = all.substring(0, split);
            String body = all.substring(split + 4);
            if (head.toLowerCase().contains("transfer-encoding: chunked")) {
                body = dechunk(body);
            }
            int status = Integer.parseInt(head.substring(9, 12));
            return new Reply(status, head, body);
        }
    }

    private static String dechunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (true) {
            int eol = chunked.indexOf("\r\n", i);
            int size = Integer.parseInt(chunked.substring(i, eol).trim(), 16);
            if (size == 0) {
                return out.toString();
            }
            out.append(chunked, eol + 2, eol + 2 + size);
            i = eol + 2 + size + 2;
        }
    }
}
