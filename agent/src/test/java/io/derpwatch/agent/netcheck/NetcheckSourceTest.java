package io.derpwatch.agent.netcheck;

import static io.derpwatch.agent.netcheck.NetcheckTestSupport.*;
import static io.derpwatch.agent.telemetry.TelemetryNames.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.derpwatch.agent.derp.DerpMapSource;
import io.derpwatch.agent.derp.NodeDerpMap;
import io.derpwatch.agent.localapi.LocalApiClient;
import io.derpwatch.agent.net.NettyTransport;
import io.derpwatch.agent.source.AgentClock;
import io.derpwatch.agent.source.PollSchedule;
import io.derpwatch.agent.source.Source;
import io.derpwatch.agent.source.SourceEnvironment;
import io.derpwatch.agent.source.Supervision;
import io.derpwatch.config.NetcheckSettings;
import io.derpwatch.lab.LocalApiEmulator;
import io.derpwatch.lab.net.Coturn;
import io.derpwatch.lab.net.LabEventLoops;
import io.derpwatch.lab.net.UdpNatProxy;
import io.derpwatch.lab.net.UdpNatProxy.Mapping;
import io.derpwatch.lab.net.UdpNatProxy.Route;
import io.netty.channel.EventLoopGroup;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.PointData;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The netcheck source end to end: DERP map file, coturn behind the lab proxy, a real OTel SDK. */
class NetcheckSourceTest {
    private EventLoopGroup group;
    private EventLoopGroup labGroup;
    private Coturn coturn;
    private UdpNatProxy proxy;
    private TelemetryHarness otel;
    private Source source;

    @BeforeEach
    void start() throws Exception {
        coturn = coturn(List.of(ip("127.0.0.21"), ip("127.0.0.22")));
        group = LabEventLoops.newGroup(1);
        labGroup = LabEventLoops.newGroup(1);
        proxy = UdpNatProxy.start(
                labGroup,
                Mapping.ENDPOINT_INDEPENDENT,
                List.of(
                        new Route(
                                new InetSocketAddress("127.0.0.81", 0),
                                coturn.address(ip("127.0.0.21")),
                                Duration.ofMillis(5),
                                false),
                        new Route(
                                new InetSocketAddress("127.0.0.82", 0),
                                coturn.address(ip("127.0.0.22")),
                                Duration.ofMillis(40),
                                false)));
        otel = new TelemetryHarness();
    }

    @AfterEach
    void stop() throws Exception {
        if (source != null) {
            source.stop();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (coturn != null) {
            coturn.close();
        }
        if (otel != null) {
            otel.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            labGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private String mapJson(boolean both) {
        String r1 = region(1, "aaa", "Region A", proxy.address(0));
        String r2 = region(2, "bbb", "Region B", proxy.address(1));
        return "{\"Regions\": {" + r1 + (both ? ", " + r2 : "") + "}}";
    }

    private static String region(int id, String code, String name, InetSocketAddress stun) {
        return "\"" + id + "\": {\"RegionID\": " + id + ", \"RegionCode\": \"" + code + "\", \"RegionName\": \""
                + name + "\", \"Nodes\": [{\"Name\": \"" + id + "a\", \"RegionID\": " + id
                + ", \"HostName\": \"derp" + id + ".lab.test\", \"IPv4\": \""
                + stun.getAddress().getHostAddress()
                + "\", \"IPv6\": \"none\", \"STUNPort\": " + stun.getPort() + "}]}";
    }

    private Source source(Path mapFile, String interval, String refresh) throws Exception {
        NetcheckSettings s = settings(Map.of(
                "interval",
                interval,
                "stun-timeout",
                "500ms",
                "ipv6",
                "false",
                "captive-portal.enabled",
                "false",
                "derp-map.source",
                "file",
                "derp-map.file",
                mapFile.toString(),
                "derp-map.refresh-interval",
                refresh));
        return run(new NetcheckSource(
                group.next(),
                NettyTransport.forGroup(group),
                s,
                otel.telemetry.meter(),
                otel.state,
                null,
                NetcheckSource::defaultSsl,
                Clock.systemUTC(),
                80));
    }

    /** The source under the source model, as the agent runs it, publishing into the harness's store. */
    private Source run(NetcheckSource netcheck) {
        return env().poll(
                        netcheck,
                        new PollSchedule(netcheck.interval(), Duration.ZERO, Duration.ofSeconds(30)),
                        snapshot -> otel.state.publish(NetcheckSnapshot.TOPIC, snapshot));
    }

    private SourceEnvironment env() {
        return new SourceEnvironment(
                group.next(),
                otel.telemetry,
                AgentClock.system(),
                new Supervision(otel.telemetry.meter()),
                SourceEnvironment.ERROR_REPEAT_INTERVAL,
                SourceEnvironment.STALL_INTERVALS,
                bound -> 0);
    }

    @Test
    void sampleOnce_publishesAFullReport(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("derpmap.json"), mapJson(true));
        source = source(file, "60s", "5m");

        source.sampleOnce().get(20, TimeUnit.SECONDS);
        Map<String, List<PointData>> m = otel.collect();

        assertThat(m.get(NETCHECK_REGION_LATENCY)).hasSize(2);
        assertThat(((LongPointData) m.get(NETCHECK_UDP).get(0)).getValue()).isEqualTo(1);
        assertThat(((LongPointData) m.get(NETCHECK_MAPPING_VARIES).get(0)).getValue())
                .isZero();
        PointData fastest = m.get(NETCHECK_REGION_LATENCY).stream()
                .min(java.util.Comparator.comparingDouble(
                        p -> ((io.opentelemetry.sdk.metrics.data.DoublePointData) p).getValue()))
                .orElseThrow();
        assertThat(m.get(NETCHECK_PREFERRED_DERP))
                .singleElement()
                .satisfies(p -> assertThat(p.getAttributes().get(REGION_CODE))
                        .isEqualTo(fastest.getAttributes().get(REGION_CODE)));
        assertThat(m.get(NETCHECK_DURATION)).hasSize(1);
        assertThat(((LongPointData) m.get(NETCHECK_DERP_MAP_REGIONS).get(0)).getValue())
                .isEqualTo(2);
        assertThat(source.name()).isEqualTo("netcheck");
    }

    @Test
    void runningSource_dropsARegionThatLeavesTheMap_andKeepsTheLastGoodMapOnFailure(@TempDir Path dir)
            throws Exception {
        Path file = Files.writeString(dir.resolve("derpmap.json"), mapJson(true));
        source = source(file, "300ms", "200ms");
        source.start();

        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() ->
                        assertThat(otel.collect().get(NETCHECK_REGION_LATENCY)).hasSize(2));

        Files.writeString(dir.resolve("next.json"), mapJson(false));
        Files.move(dir.resolve("next.json"), file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(otel.collect().get(NETCHECK_REGION_LATENCY))
                        .singleElement()
                        .satisfies(p ->
                                assertThat(p.getAttributes().get(REGION_ID)).isEqualTo(1L)));

        Files.delete(file);
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(otel.logs.getFinishedLogRecordItems())
                        .anySatisfy(r -> {
                            assertThat(r.getEventName()).isEqualTo(EVENT_SOURCE_ERROR);
                            assertThat(r.getBodyValue().asString()).contains("keeping the last good map");
                        }));
        assertThat(otel.collect().get(NETCHECK_REGION_LATENCY)).hasSize(1);
    }

    @Test
    void agentFactory_readsTheMapFromTheLocalApi_withConfiguredRegions(@TempDir Path dir) throws Exception {
        try (LocalApiEmulator tailscaled = LocalApiEmulator.start(dir.resolve("tailscaled.sock"))) {
            String custom = "{" + region(900, "lab", "Lab", proxy.address(0)) + "}";
            NetcheckSettings s = withDerpMap(
                    settings(Map.of("stun-timeout", "500ms", "ipv6", "false", "captive-portal.enabled", "false")),
                    new NetcheckSettings.DerpMapSettings(
                            "localapi", "https://127.0.0.1:9/unused", "", Duration.ofMinutes(5), true, custom));
            LocalApiClient client = new LocalApiClient(group, tailscaled.socket(), Duration.ofSeconds(5), 1 << 20);
            Source derpMap = env().poll(
                            new DerpMapSource(client),
                            PollSchedule.every(Duration.ofMinutes(5), Duration.ofSeconds(5)),
                            m -> otel.state.publish(NodeDerpMap.TOPIC, m));
            source = run(new NetcheckSource(
                    group.next(),
                    NettyTransport.forGroup(group),
                    s,
                    otel.telemetry.meter(),
                    otel.state,
                    DerpMapSource.latestOrRead(otel.state, derpMap)));

            source.sampleOnce().get(20, TimeUnit.SECONDS);

            assertThat(tailscaled.lastRequest())
                    .hasValueSatisfying(r -> assertThat(r.uri()).isEqualTo("/localapi/v0/derpmap"));
            assertThat(otel.collect().get(NETCHECK_REGION_LATENCY))
                    .singleElement()
                    .satisfies(
                            p -> assertThat(p.getAttributes().get(REGION_CODE)).isEqualTo("lab"));
        }
    }

    @Test
    void missingMap_reportsAnError_andExportsNoStaleValues(@TempDir Path dir) throws Exception {
        source = source(dir.resolve("absent.json"), "60s", "5m");

        source.sampleOnce().get(20, TimeUnit.SECONDS);

        assertThat(otel.collect()).doesNotContainKeys(NETCHECK_REGION_LATENCY, NETCHECK_UDP);
        assertThat(otel.eventNames()).contains(EVENT_SOURCE_ERROR);
    }
}
