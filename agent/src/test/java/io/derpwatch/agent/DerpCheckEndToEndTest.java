package io.derpwatch.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.derpwatch.lab.LocalApiEmulator;
import io.derpwatch.lab.net.LabDerpServer;
import io.derpwatch.lab.net.LabEventLoops;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The active DERP check wired into the whole agent: the lab's LocalAPI on a Unix socket serves a DERP map whose
 * home region (r3, id 3) points at the lab's DERP stand-in on 127.0.0.1 (TLS with a self-signed certificate the
 * agent trusts through {@code derp-check.tls.trust = <PEM file>}), read back from the stdout sink's OTLP JSON.
 */
class DerpCheckEndToEndTest {
    private static final int HOME_ID = 3;

    @TempDir
    static Path certs;

    @TempDir
    Path dir;

    private static EventLoopGroup group;
    private static LabDerpServer derp;
    private LocalApiEmulator lab;

    @BeforeAll
    static void startDerp() throws Exception {
        group = LabEventLoops.newGroup(1);
        derp = LabDerpServer.startSelfSigned(
                group, new InetSocketAddress("127.0.0.1", 0), "derp3.lab.test", certs.resolve("lab-ca.pem"));
    }

    @AfterAll
    static void stopDerp() {
        derp.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @BeforeEach
    void startLab() throws InterruptedException {
        derp.misbehave(LabDerpServer.Misbehaviour.NONE);
        lab = LocalApiEmulator.start(dir.resolve("tailscaled.sock"));
        lab.serveDerpServer(HOME_ID, derp.address());
    }

    @AfterEach
    void stopLab() {
        lab.close();
    }

    private LabAgent agent;

    private LabAgent start(Map<String, String> overrides) throws Exception {
        return start(overrides, Agent.Mode.CONTINUOUS);
    }

    private LabAgent start(Map<String, String> overrides, Agent.Mode mode) throws Exception {
        Map<String, String> props = new HashMap<>(overrides);
        props.put("derpwatch.derp-check.enabled", "true");
        props.put("derpwatch.derp-check.tls.trust", certs.resolve("lab-ca.pem").toString());
        agent = new LabAgent(lab, props, mode);
        return agent;
    }

    @Test
    void runOnce_waitsForTheFirstStatusAndDerpMap_andExportsTheCheck() throws Exception {
        try (LabAgent running = start(Map.of(), Agent.Mode.ONCE)) {
            assertThat(running.agent().runOnce(Duration.ofSeconds(30))).isTrue();
        }
        assertThat(reachableByRegion()).containsExactlyEntriesOf(Map.of("3", "1"));
    }

    private List<JsonNode> lastPoints(String metric) {
        return agent.lastPoints(metric);
    }

    private List<Map<String, String>> events(String eventName) {
        return agent.events(eventName);
    }

    private static Map<String, String> attributes(JsonNode withAttributes) {
        return LabAgent.attributes(withAttributes);
    }

    private Map<String, String> reachableByRegion() {
        Map<String, String> out = new HashMap<>();
        for (JsonNode p : lastPoints("tailscale.derp.region.reachable")) {
            out.put(
                    attributes(p).get("tailscale.derp.region.id"),
                    p.path("asInt").asText());
        }
        return out;
    }

    @Test
    void zombieHomeDerp_tailscaledConnectedButTheDerpRefuses_isADisagreement_andAReachabilityChangeAtTcp()
            throws Exception {
        try (LabAgent running = start(
                Map.of("derpwatch.derp-check.interval", "1s", "derpwatch.derp-check.disagreement-threshold", "0s"))) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> "1".equals(reachableByRegion().get("3")));
            assertThat(lastPoints("tailscale.derp.region.reachable"))
                    .singleElement()
                    .satisfies(p -> assertThat(attributes(p))
                            .containsEntry("tailscale.derp.node.host", "derp3.lab.test")
                            .containsEntry("tailscale.derp.region.home", "true"));
            assertThat(lastPoints("tailscale.derp.region.connect.duration"))
                    .extracting(p -> attributes(p).get("tailscale.derp.check.step"))
                    .contains("tcp", "tls", "http", "no_server_key");

            derp.misbehave(LabDerpServer.Misbehaviour.REFUSE_TCP);

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !events("tailscale.derp.home_connection.disagreement")
                            .isEmpty());
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> "0".equals(reachableByRegion().get("3")));
        }
        assertThat(events("tailscale.derp.region.reachable.changed"))
                .singleElement()
                .satisfies(e -> assertThat(e)
                        .containsEntry("tailscale.derp.region.id", "3")
                        .containsEntry("current", "0")
                        .containsEntry("previous", "1")
                        .containsEntry("tailscale.derp.check.step", "tcp")
                        .containsKey("error.message"));
        assertThat(events("tailscale.derp.home_connection.disagreement"))
                .singleElement()
                .satisfies(e -> assertThat(e)
                        .containsEntry("reason", "connected")
                        .containsEntry("tailscale.derp.check.reachable", "false")
                        .containsEntry("tailscale.derp.check.step", "tcp"));
    }

    @Test
    void derpHomeWarningOnTheBus_runsTheCheckAtOnce_andAgreementIsNoDisagreement() throws Exception {
        try (LabAgent running = start(Map.of(
                "derpwatch.derp-check.interval", "1h",
                "derpwatch.status.interval", "1h",
                "derpwatch.derp-check.disagreement-threshold", "0s"))) {
            // the first check runs once the home region and the DERP map are known, not after an interval
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> "1".equals(reachableByRegion().get("3")));
            await().atMost(Duration.ofSeconds(20)).until(() -> lab.ipnBus().watchers() == 1);
            derp.misbehave(LabDerpServer.Misbehaviour.HTTP_200);

            lab.ipnBus()
                    .raise(
                            "no-derp-connection",
                            "high",
                            "Relay server unavailable",
                            "Tailscale could not connect to the 'r3' relay server.",
                            true,
                            Map.of("RegionID", "3", "RegionName", "r3"));

            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            !events("tailscale.derp.region.reachable.changed").isEmpty());
        }
        assertThat(events("tailscale.derp.region.reachable.changed"))
                .singleElement()
                .satisfies(e ->
                        assertThat(e).containsEntry("current", "0").containsEntry("tailscale.derp.check.step", "http"));
        // tailscaled and the check agree that the home DERP is unreachable
        assertThat(events("tailscale.derp.home_connection.disagreement")).isEmpty();
    }

    @Test
    void regionsAll_checksEveryRegionOfTheMap_upToMaxRegions() throws Exception {
        try (LabAgent running = start(Map.of(
                "derpwatch.derp-check.regions", "all",
                "derpwatch.derp-check.max-regions", "4",
                "derpwatch.derp-check.timeout", "2s"))) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> reachableByRegion().size() == 4);
            // the home region first (reachable), then the map's regions in id order, on loopback port 1: refused
            assertThat(reachableByRegion())
                    .containsExactlyInAnyOrderEntriesOf(Map.of("3", "1", "1", "0", "2", "0", "4", "0"));
        }
        assertThat(events("tailscale.derp.region.reachable.changed"))
                .extracting(e -> e.get("tailscale.derp.region.id") + " " + e.get("tailscale.derp.check.step") + " "
                        + e.get("tailscale.derp.region.home"))
                .containsExactlyInAnyOrder("1 tcp false", "2 tcp false", "4 tcp false");
    }

    @Test
    void regionsList_byIdAndCode_checksThoseAndHome() throws Exception {
        try (LabAgent running =
                start(Map.of("derpwatch.derp-check.regions.0", "5", "derpwatch.derp-check.regions.1", "r7"))) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> reachableByRegion().size() == 3);
            assertThat(reachableByRegion()).containsOnlyKeys("3", "5", "7");
        }
    }
}
