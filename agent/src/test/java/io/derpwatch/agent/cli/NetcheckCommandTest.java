package io.derpwatch.agent.cli;

import static io.derpwatch.agent.netcheck.NetcheckTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.derpwatch.lab.net.Coturn;
import io.derpwatch.lab.net.LabDerpHttpServer;
import io.derpwatch.lab.net.LabEventLoops;
import io.derpwatch.lab.net.UdpNatProxy;
import io.derpwatch.lab.net.UdpNatProxy.Mapping;
import io.derpwatch.lab.net.UdpNatProxy.Route;
import io.netty.channel.EventLoopGroup;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code derpwatch netcheck --derp-map FILE} against coturn behind the lab's delay and NAT proxies. Latency
 * tolerance as in {@link io.derpwatch.agent.netcheck.NetcheckProberTest}: [injected - 1 ms, injected + 25 ms]; commands whose output depends
 * on comparing latencies are re-run (Awaitility) until a run is not disturbed by a loaded machine.
 */
class NetcheckCommandTest {
    private static EventLoopGroup labGroup;
    private static Coturn coturn;
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @TempDir
    Path dir;

    private record Result(int exit, String out, String err) {}

    @BeforeAll
    static void startPeers() throws Exception {
        coturn = coturnIfInstalled(ips("127.0.0.", 21, 24));
        labGroup = LabEventLoops.newGroup(1);
    }

    @AfterAll
    static void stopPeers() throws Exception {
        if (coturn != null) {
            coturn.close();
        }
        labGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @BeforeEach
    void needCoturn() {
        requireCoturn();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
    }

    private UdpNatProxy proxy(Mapping mapping, String a, String b, long delayA, long delayB, boolean drop)
            throws InterruptedException {
        int up = mapping == Mapping.ENDPOINT_INDEPENDENT ? 21 : 23;
        UdpNatProxy p = UdpNatProxy.start(
                labGroup,
                mapping,
                List.of(
                        new Route(
                                new InetSocketAddress(a, 0),
                                coturn.address(ip("127.0.0." + up)),
                                Duration.ofMillis(delayA),
                                drop),
                        new Route(
                                new InetSocketAddress(b, 0),
                                coturn.address(ip("127.0.0." + (up + 1))),
                                Duration.ofMillis(delayB),
                                drop)));
        closeAfter.add(p);
        return p;
    }

    private Path mapFile(UdpNatProxy p) throws Exception {
        String json = "{\"Regions\": {" + region(1, "aaa", "Region A", p.address(0)) + ", "
                + region(2, "bbb", "Region B", p.address(1)) + "}}";
        return Files.writeString(dir.resolve("derpmap.json"), json);
    }

    private static String region(int id, String code, String name, InetSocketAddress stun) {
        return "\"" + id + "\": {\"RegionCode\": \"" + code + "\", \"RegionName\": \"" + name + "\", \"Nodes\": "
                + "[{\"Name\": \"" + id + "a\", \"HostName\": \"derp" + id + ".lab.test\", \"IPv4\": \""
                + stun.getAddress().getHostAddress() + "\", \"IPv6\": \"none\", \"STUNPort\": " + stun.getPort()
                + "}]}";
    }

    private Path config(String extra) throws Exception {
        StringBuilder c = new StringBuilder();
        stdoutSinkTypeIfMissing()
                .forEach((k, v) -> c.append(k).append(" = ").append(v).append('\n'));
        c.append("derpwatch.netcheck { stun-timeout = 500ms, ipv6 = false, captive-portal.enabled = false }\n");
        c.append(extra);
        return Files.writeString(dir.resolve("derpwatch.conf"), c.toString());
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new NetcheckCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void json_reportsWhatTheDelayProxyDoes() throws Exception {
        UdpNatProxy p = proxy(Mapping.ENDPOINT_INDEPENDENT, "127.0.0.91", "127.0.0.92", 80, 20, false);

        String[] args = {
            "--config", config("").toString(), "--derp-map", mapFile(p).toString(), "--format", "json"
        };

        await().atMost(Duration.ofSeconds(60)).pollDelay(Duration.ZERO).untilAsserted(() -> {
            Result r = run(args);
            assertThat(r.exit()).as(r.err()).isZero();
            JsonNode n = new ObjectMapper().readTree(r.out());
            assertThat(n.get("UDP").asBoolean()).isTrue();
            assertThat(n.get("IPv4").asBoolean()).isTrue();
            assertThat(n.get("IPv6").asBoolean()).isFalse();
            assertThat(n.get("MappingVariesByDestIP").isBoolean()).isTrue();
            assertThat(n.get("MappingVariesByDestIP").asBoolean()).isFalse();
            assertThat(n.get("GlobalV4").asText()).isEmpty();
            assertNanos(n.get("RegionLatency").get("1").asLong(), 80);
            assertNanos(n.get("RegionV4Latency").get("2").asLong(), 20);
            assertThat(n.get("PreferredDERP").asInt()).isEqualTo(2);
        });
    }

    @Test
    void json_symmetricNat_mappingVaries() throws Exception {
        UdpNatProxy p = proxy(Mapping.PER_DESTINATION, "127.0.0.93", "127.0.0.94", 0, 0, false);

        Result r =
                run("--config", config("").toString(), "--derp-map", mapFile(p).toString(), "--format=json");

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode n = new ObjectMapper().readTree(r.out());
        assertThat(n.get("MappingVariesByDestIP").asBoolean()).isTrue();
        assertThat(n.get("RegionLatency").size()).isEqualTo(2);
    }

    @Test
    void text_followsTailscaleLayout_andShowsPublicAddressesWhenAsked() throws Exception {
        UdpNatProxy p = proxy(Mapping.ENDPOINT_INDEPENDENT, "127.0.0.95", "127.0.0.96", 30, 0, false);

        String[] args = {
            "--config",
            config("derpwatch.netcheck.report-public-addresses = true\n").toString(),
            "--derp-map",
            mapFile(p).toString(),
            "--verbose"
        };

        await().atMost(Duration.ofSeconds(60)).pollDelay(Duration.ZERO).untilAsserted(() -> {
            Result r = run(args);
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out())
                    .startsWith("\nReport:\n\t* Time: ")
                    .contains("\t* UDP: true\n")
                    .containsPattern("\t\\* IPv4: yes, 127\\.0\\.0\\.1:\\d+\n")
                    .contains("\t* MappingVariesByDestIP: false\n")
                    .contains("\t* Nearest DERP: Region B\n")
                    .containsPattern("\t\t- bbb: [0-9.]+(ms|µs) +\\(derp2, Region B\\)\n"
                            + "\t\t- aaa: [0-9.]+ms +\\(derp1, Region A\\)\n");
            assertThat(r.err()).isEmpty(); // not a terminal: no progress lines
        });
    }

    @Test
    void noRegionAnswering_exitsNonZero() throws Exception {
        UdpNatProxy p = proxy(Mapping.ENDPOINT_INDEPENDENT, "127.0.0.97", "127.0.0.98", 0, 0, true);

        Result r = run(
                "--config",
                config("derpwatch.netcheck.https-fallback.timeout = 1s\n").toString(),
                "--derp-map",
                mapFile(p).toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out())
                .contains("\t* UDP: false\n")
                .contains("\t* Nearest DERP: [none]\n")
                .contains("\t\t- aaa:         (Region A)\n");
        assertThat(r.err()).contains("no DERP region answered");
    }

    @Test
    void badConfig_exitsTwo_namingFileLineAndKey() throws Exception {
        Path conf = Files.writeString(dir.resolve("bad.conf"), "derpwatch.netcheck {\n  tries = many\n}\n");

        Result r = run("--config", conf.toString(), "--derp-map", "/nonexistent.json");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("bad.conf").contains(": 2: ").contains("derpwatch.netcheck.tries");
    }

    @Test
    void noTailscaled_fallsBackToTheUrl_andSaysSo() throws Exception {
        UdpNatProxy p = proxy(Mapping.ENDPOINT_INDEPENDENT, "127.0.0.101", "127.0.0.102", 0, 0, false);
        LabDerpHttpServer mapServer = LabDerpHttpServer.http(labGroup, new InetSocketAddress("127.0.0.103", 0), false);
        closeAfter.add(mapServer);
        mapServer.serveDerpMap(Files.readAllBytes(mapFile(p)));
        String url = "http://127.0.0.103:" + mapServer.address().getPort() + "/derpmap/default";
        Path conf = config("derpwatch.localapi.socket = \"" + dir.resolve("no-tailscaled.sock") + "\"\n"
                + "derpwatch.netcheck.derp-map.url = \"" + url + "\"\n");

        Result r = run("--config", conf.toString(), "--format", "json");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("LocalAPI").contains("using " + url);
        assertThat(new ObjectMapper().readTree(r.out()).get("RegionLatency").size())
                .isEqualTo(2);
        assertThat(mapServer.derpMapRequests()).isEqualTo(1);
    }

    @Test
    void unreadableDerpMap_exitsTwo() throws Exception {
        Result r = run(
                "--config",
                config("").toString(),
                "--derp-map",
                dir.resolve("missing.json").toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("missing.json");
    }

    private static void assertNanos(long nanos, long injectedMs) {
        io.derpwatch.agent.netcheck.NetcheckProberTest.assertWithin(Duration.ofNanos(nanos), injectedMs);
    }
}
