package io.derpwatch.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.derpwatch.agent.home.StatusFixtures;
import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsLoader;
import io.derpwatch.lab.LabNodeState;
import io.derpwatch.lab.LabPeers;
import io.derpwatch.lab.LabPing;
import io.derpwatch.lab.LocalApiEmulator;
import io.derpwatch.sinks.SinkContext;
import io.derpwatch.sinks.runtime.SinkCatalog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The whole agent against the lab's LocalAPI on a real Unix socket, read back from the stdout sink's OTLP
 * JSON lines: what {@code derpwatch run} prints is what these tests parse.
 */
class AgentEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private LocalApiEmulator lab;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();

    @BeforeEach
    void startLab() {
        lab = LocalApiEmulator.start(dir.resolve("tailscaled.sock"));
    }

    @AfterEach
    void stopLab() {
        lab.close();
    }

    private Agent start(Agent.Mode mode, Map<String, String> overrides) throws Exception {
        Properties props = new Properties();
        props.setProperty("derpwatch.localapi.socket", lab.socket().toString());
        props.setProperty("derpwatch.netcheck.enabled", "false");
        props.setProperty("derpwatch.admin.port", "0");
        props.setProperty("derpwatch.admin.host", "127.0.0.1");
        overrides.forEach(props::setProperty);
        List<SinkCatalog.ConfiguredSink> sinks = new ArrayList<>();
        SinkCatalog catalog = SinkCatalog.load();
        DerpwatchSettings settings = SettingsLoader.with(Map.of(), props)
                .load(null, (all, problems) -> sinks.addAll(catalog.configure(all, problems)));
        return Agent.start(
                settings,
                sinks,
                new SinkContext(new PrintStream(stdout, true, StandardCharsets.UTF_8)),
                mode,
                Map.of("HOSTNAME", "node-under-test"));
    }

    @Test
    void adminPortTaken_startFailsNamingTheAddress_andStopsTheSourcesItStarted() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(() -> start(
                            Agent.Mode.CONTINUOUS,
                            Map.of(
                                    "derpwatch.admin.port",
                                    String.valueOf(taken.getLocalPort()),
                                    "derpwatch.status.interval",
                                    "100ms")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("derpwatch.admin: cannot listen on 127.0.0.1:" + taken.getLocalPort());
            // the sources that had started are stopped: tailscaled hears from nobody any more
            AtomicInteger seen = new AtomicInteger(lab.requestCount());
            await().during(Duration.ofSeconds(1))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> seen.getAndSet(lab.requestCount()) == lab.requestCount());
        }
    }

    private List<JsonNode> lines() {
        List<JsonNode> out = new ArrayList<>();
        for (String line : stdout.toString(StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                out.add(JSON.readTree(line));
            } catch (Exception e) {
                throw new AssertionError("stdout line is not JSON: " + line, e);
            }
        }
        return out;
    }

    /** The data points of {@code metric} across every resourceMetrics line, oldest first. */
    private List<JsonNode> points(String metric) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode line : lines()) {
            for (JsonNode rm : line.path("resourceMetrics")) {
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

    private List<JsonNode> events(String eventName) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode line : lines()) {
            for (JsonNode rl : line.path("resourceLogs")) {
                for (JsonNode sl : rl.path("scopeLogs")) {
                    for (JsonNode r : sl.path("logRecords")) {
                        if (r.path("eventName").asText().equals(eventName)) {
                            out.add(r);
                        }
                    }
                }
            }
        }
        return out;
    }

    private static Map<String, String> attributes(JsonNode withAttributes) {
        Map<String, String> out = new HashMap<>();
        for (JsonNode a : withAttributes.path("attributes")) {
            JsonNode v = a.path("value");
            String value = v.has("stringValue")
                    ? v.get("stringValue").asText()
                    : v.has("intValue") ? v.get("intValue").asText() : v.toString();
            out.put(a.path("key").asText(), value);
        }
        return out;
    }

    private static Optional<JsonNode> lastPoint(List<JsonNode> points) {
        return points.isEmpty() ? Optional.empty() : Optional.of(points.get(points.size() - 1));
    }

    @ParameterizedTest(name = "{0}: home_connection {1} ({2})")
    @CsvSource({
        "status-02.json, 1, connected,   sin",
        "status-04.json, 1, connected,   tok",
        "status-05.json, 0, not_running, nue",
        "status-06.json, 1, connected,   sea",
    })
    void runOnce_printsHomeConnectionAsOtlpJson_forRealStatusDocuments(
            String fixture, int value, String reason, String region) throws Exception {
        lab.serveStatusDocument(StatusFixtures.read(fixture));

        try (Agent agent = start(Agent.Mode.ONCE, Map.of())) {
            assertThat(agent.runOnce(Duration.ofSeconds(20))).isTrue();
        }

        List<JsonNode> points = points("tailscale.derp.home_connection");
        assertThat(points).hasSize(1);
        assertThat(points.get(0).path("asInt").asText()).isEqualTo(Integer.toString(value));
        // the lab's DERP map is the vendored default map, whose codes are r1..r12: a real code is not in it,
        // so the region is identified by its code alone
        assertThat(attributes(points.get(0))).containsExactlyEntriesOf(Map.of("tailscale.derp.region.code", region));
        JsonNode resource = lines().stream()
                .filter(l -> l.has("resourceMetrics"))
                .findFirst()
                .orElseThrow()
                .at("/resourceMetrics/0/resource");
        assertThat(attributes(resource))
                .containsEntry("service.name", "derpwatch")
                .containsEntry("host.name", "node-under-test");
        List<JsonNode> changed = events("tailscale.derp.home_connection.changed");
        assertThat(changed)
                .singleElement()
                .satisfies(e -> assertThat(attributes(e))
                        .containsEntry("current", Integer.toString(value))
                        .containsEntry("reason", reason)
                        .doesNotContainKey("previous"));
    }

    @Test
    void runOnce_countsPeersByPath_fromAMixedPathStatus() throws Exception {
        lab.serveStatusDocument(LabPeers.status(new LabPeers.Mix(3, 2, 1, 4, 7)));

        try (Agent agent = start(Agent.Mode.ONCE, Map.of("derpwatch.peers.per-peer", "true"))) {
            assertThat(agent.runOnce(Duration.ofSeconds(20))).isTrue();
        }

        Map<String, String> byPath = new HashMap<>();
        for (JsonNode p : points("tailscale.peers")) {
            byPath.put(attributes(p).get("tailscale.peer.path"), p.path("asInt").asText());
        }
        assertThat(byPath)
                .containsExactlyInAnyOrderEntriesOf(Map.of("direct", "3", "derp", "2", "peer_relay", "1", "idle", "4"));
        assertThat(lastPoint(points("tailscale.peers.online"))
                        .orElseThrow()
                        .path("asInt")
                        .asText())
                .isEqualTo("7");
        assertThat(points("tailscale.peer.path.info"))
                .hasSize(10)
                .anySatisfy(p -> assertThat(attributes(p))
                        .containsEntry("tailscale.peer.name", LabPeers.hostName(3))
                        .containsEntry("tailscale.peer.path", "derp"));
    }

    @Test
    void peers_offSwitch_leavesNoPeerSeries() throws Exception {
        lab.serveStatusDocument(LabPeers.status(new LabPeers.Mix(3, 2, 1, 4, 7)));

        try (Agent agent = start(Agent.Mode.ONCE, Map.of("derpwatch.peers.enabled", "false"))) {
            assertThat(agent.runOnce(Duration.ofSeconds(20))).isTrue();
        }

        assertThat(points("tailscale.derp.home_connection")).isNotEmpty();
        assertThat(points("tailscale.peers")).isEmpty();
        assertThat(points("tailscale.peer.path.info")).isEmpty();
    }

    @Test
    void peerPathChanged_isEmitted_whenRelayedPeersGoDirect() throws Exception {
        lab.serveStatusDocument(LabPeers.status(new LabPeers.Mix(1, 2, 0, 1, 4)));

        try (Agent agent = start(Agent.Mode.ONCE, Map.of())) {
            assertThat(agent.runOnce(Duration.ofSeconds(20))).isTrue();
            assertThat(events("tailscale.peer.path.changed")).isEmpty();
            lab.serveStatusDocument(LabPeers.status(new LabPeers.Mix(3, 0, 0, 1, 4)));
            assertThat(agent.runOnce(Duration.ofSeconds(20))).isTrue();
        }

        List<JsonNode> changed = events("tailscale.peer.path.changed");
        assertThat(changed).hasSize(2);
        assertThat(changed)
                .extracting(e -> attributes(e).get("tailscale.peer.name"))
                .containsExactlyInAnyOrder(LabPeers.hostName(1), LabPeers.hostName(2));
        assertThat(changed)
                .allSatisfy(e -> assertThat(attributes(e))
                        .containsEntry("tailscale.peer.path", "direct")
                        .containsEntry("tailscale.peer.previous_path", "derp")
                        .containsKey("tailscale.derp.previous_region.code"));
    }

    @Test
    void runOnce_forwardsTailscaledsClientMetrics_underTheirOwnNames() throws Exception {
        try (Agent agent = start(Agent.Mode.ONCE, Map.of())) {
            assertThat(agent.runOnce(Duration.ofSeconds(20))).isTrue();
        }

        assertThat(points("tailscaled_home_derp_region_id"))
                .singleElement()
                .satisfies(p -> assertThat(p.path("asDouble").asDouble()).isEqualTo(4.0));
        assertThat(points("tailscaled_health_messages"))
                .anySatisfy(p -> assertThat(attributes(p)).containsEntry("type", "warning"));
    }

    @Test
    void usermetrics_absentOnAnOlderDaemon_isNoSourceError() throws Exception {
        lab.userMetrics().absent();

        try (Agent agent = start(Agent.Mode.ONCE, Map.of())) {
            assertThat(agent.runOnce(Duration.ofSeconds(20))).isTrue();
            assertThat(agent.runOnce(Duration.ofSeconds(20))).isTrue();
        }

        assertThat(points("tailscaled_home_derp_region_id")).isEmpty();
        assertThat(events("derpwatch.source.error"))
                .noneSatisfy(e -> assertThat(attributes(e)).containsEntry("derpwatch.source.name", "usermetrics"));
        assertThat(points("tailscale.derp.home_connection")).isNotEmpty();
    }

    @Test
    void ping_reportsLatencyAndPath_andTheMoveFromDerpToDirect_andAnUnknownTargetOnce() throws Exception {
        lab.serveStatusDocument(LabPeers.status(new LabPeers.Mix(2, 1, 0, 0, 3)));
        String relayed = LabPeers.hostName(2);
        lab.ping()
                .script(
                        LabPeers.tailscaleIp(2),
                        LabPing.derp(relayed, 4, "fra", 0.042),
                        LabPing.direct(relayed, "198.51.100.2:41641", 0.003));
        Map<String, String> config =
                Map.of("derpwatch.peers.ping.targets.0", relayed, "derpwatch.peers.ping.targets.1", "no-such-peer");

        try (Agent agent = start(Agent.Mode.ONCE, config)) {
            assertThat(agent.runOnce(Duration.ofSeconds(20))).isTrue();
            assertThat(events("tailscale.peer.path.changed")).isEmpty();
            assertThat(agent.runOnce(Duration.ofSeconds(20))).isTrue();
        }

        List<JsonNode> latency = points("tailscale.peer.ping.latency");
        assertThat(latency).hasSizeGreaterThanOrEqualTo(2);
        assertThat(attributes(latency.get(0)))
                .containsEntry("tailscale.peer.name", relayed)
                .containsEntry("tailscale.peer.path", "derp")
                .containsEntry("tailscale.derp.region.code", "fra");
        assertThat(latency.get(0).path("asDouble").asDouble()).isEqualTo(0.042);
        assertThat(attributes(latency.get(latency.size() - 1)))
                .containsEntry("tailscale.peer.path", "direct")
                .containsEntry("tailscale.peer.endpoint.kind", "ipv4");
        assertThat(events("tailscale.peer.path.changed"))
                .singleElement()
                .satisfies(e -> assertThat(attributes(e))
                        .containsEntry("tailscale.peer.name", relayed)
                        .containsEntry("tailscale.peer.previous_path", "derp")
                        .containsEntry("tailscale.peer.path", "direct"));
        assertThat(events("derpwatch.source.error"))
                .filteredOn(e -> "ping".equals(attributes(e).get("derpwatch.source.name")))
                .singleElement()
                .satisfies(e -> assertThat(attributes(e)).containsEntry("tailscale.peer.name", "no-such-peer"));
        assertThat(events("tailscale.peer.ping.error"))
                .as("two rounds, one event: throttled per target")
                .singleElement()
                .satisfies(e -> assertThat(attributes(e))
                        .containsEntry("tailscale.peer.name", "no-such-peer")
                        .containsEntry("error.type", "unknown_peer"));
    }

    @Test
    void ping_aTargetThatTimesOut_isOnePingErrorEvent_untilItAnswersAgain() throws Exception {
        lab.serveStatusDocument(LabPeers.status(new LabPeers.Mix(2, 0, 0, 0, 2)));
        String silent = LabPeers.hostName(1);
        lab.ping()
                .script(
                        LabPeers.tailscaleIp(1),
                        LabPing.timeout(),
                        LabPing.timeout(),
                        LabPing.direct(silent, "198.51.100.1:41641", 0.002),
                        LabPing.timeout());
        Map<String, String> config =
                Map.of("derpwatch.peers.ping.targets.0", silent, "derpwatch.peers.ping.timeout", "1s");

        try (Agent agent = start(Agent.Mode.ONCE, config)) {
            for (int i = 0; i < 4; i++) {
                assertThat(agent.runOnce(Duration.ofSeconds(20))).isTrue();
            }
        }

        assertThat(events("tailscale.peer.ping.error"))
                .as("timeout, (held), answer, timeout")
                .hasSize(2)
                .allSatisfy(e -> assertThat(attributes(e))
                        .containsEntry("tailscale.peer.name", silent)
                        .containsEntry("error.type", "timeout"));
    }

    @Test
    void logFileSource_emitsSignatureEvents_acrossRotationAndTruncation() throws Exception {
        Path log = dir.resolve("tailscaled.log");
        Files.writeString(log, "2022/03/28 07:42:18 magicsock: home is now derp-9 (dfw)\n"); // before start: skipped
        Map<String, String> config = Map.of(
                "derpwatch.logs.source", "file",
                "derpwatch.logs.file", log.toString(),
                "derpwatch.logs.zone", "UTC",
                "derpwatch.logs.poll-interval", "100ms",
                "derpwatch.telemetry.event-flush-interval", "100ms");

        try (Agent agent = start(Agent.Mode.CONTINUOUS, config)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> agent.readiness() == null);
            Files.writeString(
                    log,
                    "2022/03/28 07:42:19 doing cleanup for discovery key\n"
                            + "2022/03/28 07:42:19 magicsock: home is now derp-4 (fra)\n",
                    StandardOpenOption.APPEND);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> events("tailscale.log.signature").size() >= 1);

            Files.move(log, dir.resolve("tailscaled.log.1"));
            Files.writeString(log, "2022/03/28 07:42:20 Switching ipn state Starting -> Running (WantRunning=true)\n");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> events("tailscale.log.signature").size() >= 2);

            Files.writeString(log, "2022/03/28 07:42:21 No IP assigned\n"); // shorter: truncated
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> events("tailscale.log.signature").size() >= 3);
        }

        List<JsonNode> signatures = events("tailscale.log.signature");
        assertThat(signatures)
                .extracting(e -> attributes(e).get("tailscale.log.signature"))
                .containsExactly("derp_home_changed", "ipn_state_changed", "no_ip_assigned");
        assertThat(attributes(signatures.get(0))).containsEntry("tailscale.log.time", "2022-03-28T07:42:19Z");
        // the line's own time is the event's time; when the agent read it is the observed time
        assertThat(signatures.get(0).path("timeUnixNano").asText())
                .isEqualTo(String.valueOf(
                        java.time.Instant.parse("2022-03-28T07:42:19Z").getEpochSecond() * 1_000_000_000L));
        assertThat(Long.parseLong(signatures.get(0).path("observedTimeUnixNano").asText()))
                .isGreaterThan(java.time.Instant.parse("2026-01-01T00:00:00Z").getEpochSecond() * 1_000_000_000L);
        assertThat(signatures.get(0).at("/body/stringValue").asText())
                .isEqualTo("2022/03/28 07:42:19 magicsock: home is now derp-4 (fra)");
    }

    /**
     * A stand-in for journalctl (docs/telemetry.md): a script that checks its arguments, counts its runs, prints
     * tailscaled lines as {@code -o cat} does (no timestamp), then exits, so the agent must restart it.
     */
    private Path fakeJournalctl() throws Exception {
        Path script = dir.resolve("bin").resolve("journalctl");
        Files.createDirectories(script.getParent());
        Files.writeString(
                script,
                "#!/bin/sh\n"
                        + "[ \"$*\" = \"-u tailscaled -f -o cat\" ] || { echo \"bad args: $*\" >&2; exit 2; }\n"
                        + "echo run >> '" + dir.resolve("runs") + "'\n"
                        + "echo 'doing cleanup for discovery key'\n"
                        + "echo 'magicsock: home is now derp-4 (fra)'\n"
                        + "echo 'magicsock: ReSTUN(\"link-change-major\") ignored; stopped, no private key'\n");
        script.toFile().setExecutable(true);
        return script;
    }

    @Test
    void journaldSource_emitsSignatureEvents_andRestartsJournalctlWhenItExits() throws Exception {
        Map<String, String> config = Map.of(
                "derpwatch.logs.source", "journald",
                "derpwatch.logs.journald-command", fakeJournalctl().toString(),
                "derpwatch.logs.journald-backoff", "100ms",
                "derpwatch.telemetry.event-flush-interval", "100ms");

        try (Agent agent = start(Agent.Mode.CONTINUOUS, config)) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> events("tailscale.log.signature").stream()
                                    .filter(e -> "derp_home_changed"
                                            .equals(attributes(e).get("tailscale.log.signature")))
                                    .count()
                            >= 2);
        }

        assertThat(Files.readAllLines(dir.resolve("runs")).size()).isGreaterThanOrEqualTo(2);
        List<JsonNode> signatures = events("tailscale.log.signature");
        assertThat(signatures.subList(0, 2))
                .extracting(e -> attributes(e).get("tailscale.log.signature"))
                .containsExactly("derp_home_changed", "restun_ignored_stopped");
        assertThat(signatures.get(0).at("/body/stringValue").asText()).isEqualTo("magicsock: home is now derp-4 (fra)");
    }

    @Test
    void journaldSource_withoutJournalctl_isAClearSourceError_andTheAgentRuns() throws Exception {
        Map<String, String> config = Map.of(
                "derpwatch.logs.source", "journald",
                "derpwatch.logs.journald-command",
                        dir.resolve("no-such-dir/journalctl").toString(),
                "derpwatch.logs.journald-backoff", "100ms",
                "derpwatch.telemetry.event-flush-interval", "100ms");

        try (Agent agent = start(Agent.Mode.CONTINUOUS, config)) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> events("derpwatch.source.error").stream()
                            .anyMatch(e ->
                                    "journalctl_missing".equals(attributes(e).get("error.type"))));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !points("tailscale.derp.home_connection").isEmpty());
        }

        JsonNode error = events("derpwatch.source.error").stream()
                .filter(e -> "journalctl_missing".equals(attributes(e).get("error.type")))
                .findFirst()
                .orElseThrow();
        assertThat(attributes(error)).containsEntry("derpwatch.source.name", "logs");
        assertThat(error.at("/body/stringValue").asText()).contains("could not be started", "journald-command");
    }

    @Test
    void logtapSource_emitsSignatureEvents_timedByTheRecordsClientTime() throws Exception {
        lab.logTap().replay(List.of("2026/04/16 23:39:37 magicsock: home is now derp-10 (sea)"));
        Map<String, String> config = Map.of(
                "derpwatch.logs.source", "logtap",
                "derpwatch.logs.logtap-backoff", "100ms",
                "derpwatch.telemetry.event-flush-interval", "100ms");

        try (Agent agent = start(Agent.Mode.CONTINUOUS, config)) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !events("tailscale.log.signature").isEmpty());
        }

        JsonNode signature = events("tailscale.log.signature").get(0);
        assertThat(attributes(signature))
                .containsEntry("tailscale.log.signature", "derp_home_changed")
                .containsEntry("tailscale.derp.region.code", "sea")
                .containsEntry("tailscale.log.time", "2026-04-16T23:39:37Z");
        assertThat(signature.at("/body/stringValue").asText()).isEqualTo("magicsock: home is now derp-10 (sea)");
        assertThat(signature.path("timeUnixNano").asText())
                .isEqualTo(String.valueOf(
                        java.time.Instant.parse("2026-04-16T23:39:37Z").getEpochSecond() * 1_000_000_000L));
    }

    @Test
    void logtapSource_refused_isAClearSourceError_andTheAgentRuns() throws Exception {
        lab.logTap().refuse(true);
        Map<String, String> config = Map.of(
                "derpwatch.logs.source", "logtap",
                "derpwatch.logs.logtap-backoff", "100ms",
                "derpwatch.telemetry.event-flush-interval", "100ms");

        try (Agent agent = start(Agent.Mode.CONTINUOUS, config)) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> events("derpwatch.source.error").stream()
                            .anyMatch(
                                    e -> "logtap_forbidden".equals(attributes(e).get("error.type"))));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !points("tailscale.derp.home_connection").isEmpty());
        }

        JsonNode error = events("derpwatch.source.error").stream()
                .filter(e -> "logtap_forbidden".equals(attributes(e).get("error.type")))
                .findFirst()
                .orElseThrow();
        assertThat(attributes(error)).containsEntry("derpwatch.source.name", "logs");
        assertThat(error.at("/body/stringValue").asText()).contains("403", "root");
    }

    @Test
    void forcedDerp_isRaised_whenMostActivePeersGoThroughDerp_andClears_whenTheyGoDirect() throws Exception {
        lab.serveStatusDocument(LabPeers.status(new LabPeers.Mix(1, 4, 0, 1, 6)));
        Map<String, String> config = Map.of("derpwatch.insights.forced-derp.for", "0s");

        try (Agent agent = start(Agent.Mode.ONCE, config)) {
            assertThat(agent.runOnce(Duration.ofSeconds(20))).isTrue();
            assertThat(events("tailscale.insight"))
                    .filteredOn(e -> "forced_derp".equals(attributes(e).get("tailscale.insight.id")))
                    .singleElement()
                    .satisfies(e -> assertThat(attributes(e))
                            .containsEntry("tailscale.insight.state", "active")
                            .containsKey("tailscale.insight.message"));
            assertThat(points("tailscale.insight.active")).anySatisfy(p -> {
                assertThat(attributes(p)).containsEntry("tailscale.insight.id", "forced_derp");
                assertThat(p.path("asInt").asText()).isEqualTo("1");
            });

            lab.serveStatusDocument(LabPeers.status(new LabPeers.Mix(5, 0, 0, 1, 6)));
            assertThat(agent.runOnce(Duration.ofSeconds(20))).isTrue();
        }

        assertThat(events("tailscale.insight"))
                .filteredOn(e -> "forced_derp".equals(attributes(e).get("tailscale.insight.id")))
                .extracting(e -> attributes(e).get("tailscale.insight.state"))
                .containsExactly("active", "cleared");
    }

    @Test
    void loggedOutAndNoHomeDerp_areRaisedFromTheHomeView_andClear_inTheSink() throws Exception {
        // a logged-out tailscaled: its status and its IPN bus (ipn.State 2) say NeedsLogin
        lab.setState(LabNodeState.connected().withBackendState("NeedsLogin"));
        lab.ipnBus().initialState(2);

        try (Agent agent = start(Agent.Mode.ONCE, Map.of())) {
            assertThat(agent.runOnce(Duration.ofSeconds(20))).isTrue();
            lab.setState(LabNodeState.connected().withRelay(""));
            lab.ipnBus().state(6);
            assertThat(agent.runOnce(Duration.ofSeconds(20))).isTrue();
            lab.setState(LabNodeState.connected());
            assertThat(agent.runOnce(Duration.ofSeconds(20))).isTrue();
        }

        assertThat(insightStates("logged_out")).containsExactly("active", "cleared");
        assertThat(insightStates("no_home_derp")).containsExactly("active", "cleared");
        JsonNode loggedOut = events("tailscale.insight").stream()
                .filter(e -> "logged_out".equals(attributes(e).get("tailscale.insight.id")))
                .findFirst()
                .orElseThrow();
        assertThat(attributes(loggedOut))
                .containsEntry("tailscale.insight.severity", "critical")
                .containsEntry("tailscale.insight.evidence.backend_state", "NeedsLogin");
        assertThat(attributes(loggedOut).get("tailscale.insight.message")).contains("not a DERP fault");
    }

    private List<String> insightStates(String id) {
        return events("tailscale.insight").stream()
                .filter(e -> id.equals(attributes(e).get("tailscale.insight.id")))
                .map(e -> attributes(e).get("tailscale.insight.state"))
                .toList();
    }

    @Test
    void runOnce_namesTheRegionFromTheDerpMap_whenTheMapHasTheHomeRegion() throws Exception {
        try (Agent agent = start(Agent.Mode.ONCE, Map.of())) {
            assertThat(agent.runOnce(Duration.ofSeconds(20))).isTrue();
        }

        assertThat(attributes(points("tailscale.derp.home_connection").get(0)))
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "tailscale.derp.region.id",
                        "3",
                        "tailscale.derp.region.code",
                        "r3",
                        "tailscale.derp.region.name",
                        "r3"));
    }

    @Test
    void runOnce_reportsZeroAndASourceError_whenTailscaledIsAbsent() throws Exception {
        lab.close();

        try (Agent agent = start(Agent.Mode.ONCE, Map.of())) {
            agent.runOnce(Duration.ofSeconds(20));
        }

        assertThat(points("tailscale.derp.home_connection"))
                .singleElement()
                .satisfies(p -> assertThat(p.path("asInt").asText()).isEqualTo("0"));
        assertThat(events("derpwatch.source.error")).isNotEmpty();
        assertThat(attributes(events("tailscale.derp.home_connection.changed").get(0)))
                .containsEntry("reason", "localapi_unreachable");
        lab = LocalApiEmulator.start(dir.resolve("tailscaled.sock")); // for @AfterEach
    }

    @Test
    void continuousRun_reportsTheDropAndTheRecovery_asValuesAndEvents() throws Exception {
        try (Agent agent = start(
                Agent.Mode.CONTINUOUS,
                Map.of(
                        "derpwatch.status.interval",
                        "200ms",
                        "derpwatch.telemetry.export-interval",
                        "300ms",
                        "derpwatch.telemetry.event-flush-interval",
                        "100ms"))) {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> lastPoint(points("tailscale.derp.home_connection"))
                            .map(p -> p.path("asInt").asText().equals("1"))
                            .orElse(false));
            // ready once every source's first sample is done (the peers source's may finish after status's)
            await().atMost(Duration.ofSeconds(20)).until(() -> agent.readiness() == null);

            lab.update(s -> s.withHealth(LabNodeState.noDerpConnectionWarning(LabNodeState.DEFAULT_RELAY_NAME)));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> lastPoint(points("tailscale.derp.home_connection"))
                            .map(p -> p.path("asInt").asText().equals("0"))
                            .orElse(false));

            lab.update(s -> s.withHealth(List.of()));
            await().atMost(Duration.ofSeconds(20))
                    .until(() ->
                            events("tailscale.derp.home_connection.changed").size() >= 3);
        }

        List<Map<String, String>> changes = events("tailscale.derp.home_connection.changed").stream()
                .map(AgentEndToEndTest::attributes)
                .toList();
        assertThat(changes)
                .extracting(c -> c.get("previous") + "->" + c.get("current") + " " + c.get("reason"))
                .containsExactly("null->1 connected", "1->0 derp_unreachable", "0->1 connected");
        assertThat(changes.get(1)).containsEntry("tailscale.derp.region.code", "r3");
        assertThat(lastPoint(points("tailscale.derp.home_connection"))
                        .orElseThrow()
                        .path("asInt")
                        .asText())
                .isEqualTo("1");
    }

    @Test
    void continuousRun_atTheDefaultExportInterval_exportsTheFirstSamples_andAHomeChange_atOnce() throws Exception {
        // export-interval and event-flush-interval at their defaults (60 s, 1 s): every wait below is far
        // shorter than one export interval
        try (Agent agent = start(
                Agent.Mode.CONTINUOUS,
                Map.of("derpwatch.status.interval", "10m"))) { // only the bus can tell the loss within the test
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> lastPoint(points("tailscale.derp.home_connection"))
                            .map(p -> p.path("asInt").asText().equals("1"))
                            .orElse(false));
            await().atMost(Duration.ofSeconds(20)).until(() -> lab.ipnBus().watchers() == 1);

            lab.ipnBus()
                    .raise(
                            "no-derp-connection",
                            "high",
                            "Relay server unavailable",
                            "Tailscale could not connect to the 'r3' relay server.",
                            true,
                            Map.of("RegionID", "3", "RegionName", "r3"));

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> lastPoint(points("tailscale.derp.home_connection"))
                            .map(p -> p.path("asInt").asText().equals("0"))
                            .orElse(false));
            assertThat(events("tailscale.derp.home_connection.changed")).hasSize(2);
        }
    }

    @Test
    void continuousRun_aDerpLossOnTheIpnBus_isAHealthEventThenAHomeChange_onStdout() throws Exception {
        try (Agent agent = start(
                Agent.Mode.CONTINUOUS,
                Map.of(
                        "derpwatch.status.interval",
                        "10m", // only the bus can tell the loss within the test
                        "derpwatch.telemetry.export-interval",
                        "300ms",
                        "derpwatch.telemetry.event-flush-interval",
                        "100ms"))) {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> lab.ipnBus().watchers() == 1
                            && !events("tailscale.derp.home_connection.changed").isEmpty());

            lab.ipnBus()
                    .raise(
                            "no-derp-connection",
                            "high",
                            "Relay server unavailable",
                            "Tailscale could not connect to the 'r3' relay server.",
                            true,
                            Map.of("RegionID", "3", "RegionName", "r3"));

            await().atMost(Duration.ofSeconds(20))
                    .until(() ->
                            events("tailscale.derp.home_connection.changed").size() >= 2);
        }
        List<String> order = new ArrayList<>();
        for (JsonNode line : lines()) {
            for (JsonNode rl : line.path("resourceLogs")) {
                for (JsonNode sl : rl.path("scopeLogs")) {
                    for (JsonNode r : sl.path("logRecords")) {
                        order.add(r.path("eventName").asText());
                    }
                }
            }
        }
        assertThat(order.indexOf("tailscale.health.warning"))
                .isGreaterThanOrEqualTo(0)
                .isLessThan(order.lastIndexOf("tailscale.derp.home_connection.changed"));
        assertThat(attributes(events("tailscale.health.warning").get(0)))
                .containsEntry("tailscale.health.state", "raised")
                .containsEntry("tailscale.health.warning.code", "no-derp-connection");
        List<Map<String, String>> changes = events("tailscale.derp.home_connection.changed").stream()
                .map(AgentEndToEndTest::attributes)
                .toList();
        assertThat(changes)
                .extracting(c -> c.get("previous") + "->" + c.get("current") + " " + c.get("reason"))
                .containsExactly("null->1 connected", "1->0 derp_unreachable");
    }

    @Test
    void problemsList_staysEmpty_forTheDefaultSinks() throws Exception {
        List<ConfigProblem> problems = new ArrayList<>();
        DerpwatchSettings settings =
                SettingsLoader.with(Map.of(), new Properties()).load(null);
        SinkCatalog.load().configure(settings.sinks(), problems);
        assertThat(problems).isEmpty();
    }
}
