package io.derpwatch.agent.netcheck;

import static io.derpwatch.agent.netcheck.NetcheckTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.derpwatch.agent.Agent;
import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsLoader;
import io.derpwatch.lab.LocalApiEmulator;
import io.derpwatch.lab.net.Coturn;
import io.derpwatch.lab.net.LabEventLoops;
import io.derpwatch.lab.net.UdpNatProxy;
import io.derpwatch.lab.net.UdpNatProxy.Mapping;
import io.derpwatch.lab.net.UdpNatProxy.Route;
import io.derpwatch.sinks.SinkContext;
import io.derpwatch.sinks.runtime.SinkCatalog;
import io.netty.channel.EventLoopGroup;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code derpwatch run} with netcheck on: the whole agent (sources, SDK pipeline, stdout sink) against coturn
 * behind the lab proxy, read back from the stdout sink's OTLP JSON lines.
 */
class NetcheckAgentTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void runningAgent_exportsNetcheckMetricsOnEveryInterval() throws Exception {
        EventLoopGroup labGroup = LabEventLoops.newGroup(1);
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        try (Coturn coturn = coturn(List.of(ip("127.0.0.21"), ip("127.0.0.22")));
                LocalApiEmulator tailscaled = LocalApiEmulator.start(dir.resolve("tailscaled.sock"));
                UdpNatProxy proxy = UdpNatProxy.start(
                        labGroup,
                        Mapping.ENDPOINT_INDEPENDENT,
                        List.of(
                                new Route(
                                        new InetSocketAddress("127.0.0.111", 0),
                                        coturn.address(ip("127.0.0.21")),
                                        Duration.ofMillis(10),
                                        false),
                                new Route(
                                        new InetSocketAddress("127.0.0.112", 0),
                                        coturn.address(ip("127.0.0.22")),
                                        Duration.ofMillis(30),
                                        false)))) {
            Path map = Files.writeString(
                    dir.resolve("derpmap.json"),
                    "{\"Regions\": {" + region(1, "aaa", proxy.address(0)) + ", " + region(2, "bbb", proxy.address(1))
                            + "}}");
            Properties props = new Properties();
            props.putAll(stdoutSinkTypeIfMissing());
            props.setProperty("derpwatch.localapi.socket", tailscaled.socket().toString());
            props.setProperty("derpwatch.admin.enabled", "false");
            props.setProperty("derpwatch.telemetry.export-interval", "300ms");
            props.setProperty("derpwatch.netcheck.interval", "500ms");
            props.setProperty("derpwatch.netcheck.stun-timeout", "500ms");
            props.setProperty("derpwatch.netcheck.ipv6", "false");
            props.setProperty("derpwatch.netcheck.captive-portal.enabled", "false");
            props.setProperty("derpwatch.netcheck.derp-map.source", "file");
            props.setProperty("derpwatch.netcheck.derp-map.file", map.toString());
            List<SinkCatalog.ConfiguredSink> sinks = new ArrayList<>();
            SinkCatalog catalog = SinkCatalog.load();
            DerpwatchSettings settings = SettingsLoader.with(Map.of(), props)
                    .load(null, (all, problems) -> sinks.addAll(catalog.configure(all, problems)));

            try (Agent agent = Agent.start(
                    settings,
                    sinks,
                    new SinkContext(new PrintStream(stdout, true, StandardCharsets.UTF_8)),
                    Agent.Mode.CONTINUOUS,
                    Map.of("HOSTNAME", "node-under-test"))) {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    List<JsonNode> latency = points(stdout, "tailscale.netcheck.region.latency");
                    TreeSet<String> codes = new TreeSet<>();
                    latency.forEach(p -> codes.add(attribute(p, "tailscale.derp.region.code")));
                    assertThat(codes).containsExactly("aaa", "bbb");
                    // several exports, each with the latest report's latencies
                    assertThat(latency.stream()
                                    .map(p -> p.path("timeUnixNano").asText())
                                    .distinct()
                                    .count())
                            .isGreaterThanOrEqualTo(3);
                    assertThat(points(stdout, "tailscale.netcheck.udp"))
                            .isNotEmpty()
                            .allSatisfy(
                                    p -> assertThat(p.path("asInt").asText()).isEqualTo("1"));
                    assertThat(points(stdout, "tailscale.netcheck.preferred_derp"))
                            .isNotEmpty();
                });
            }
        } finally {
            labGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static String region(int id, String code, InetSocketAddress stun) {
        return "\"" + id + "\": {\"RegionCode\": \"" + code + "\", \"RegionName\": \"Region " + code
                + "\", \"Nodes\": [{\"Name\": \"" + id + "a\", \"HostName\": \"derp" + id + ".lab.test\", \"IPv4\": \""
                + stun.getAddress().getHostAddress() + "\", \"IPv6\": \"none\", \"STUNPort\": " + stun.getPort()
                + "}]}";
    }

    /** The gauge data points of {@code metric} in every OTLP JSON line on stdout. */
    private static List<JsonNode> points(ByteArrayOutputStream stdout, String metric) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : stdout.toString(StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            for (JsonNode rm : JSON.readTree(line).path("resourceMetrics")) {
                for (JsonNode sm : rm.path("scopeMetrics")) {
                    for (JsonNode m : sm.path("metrics")) {
                        if (m.path("name").asText().equals(metric)) {
                            m.path("gauge").path("dataPoints").forEach(out::add);
                        }
                    }
                }
            }
        }
        return out;
    }

    private static String attribute(JsonNode point, String key) {
        for (JsonNode a : point.path("attributes")) {
            if (a.path("key").asText().equals(key)) {
                return a.path("value").path("stringValue").asText();
            }
        }
        return "";
    }
}
