package io.derpwatch.agent.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpRegion;
import io.derpwatch.agent.derp.NodeDerpMap;
import io.derpwatch.agent.events.ChangeEventEmitter;
import io.derpwatch.agent.home.StatusFixtures;
import io.derpwatch.agent.netcheck.AddressFamily;
import io.derpwatch.agent.netcheck.NetcheckReport;
import io.derpwatch.agent.netcheck.NetcheckSnapshot;
import io.derpwatch.agent.netcheck.ProbeKind;
import io.derpwatch.agent.netcheck.RegionLatency;
import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.telemetry.EventEmitter;
import io.derpwatch.agent.telemetry.TelemetryNames;
import io.derpwatch.agent.view.AgentViewCodec;
import io.derpwatch.agent.view.StateViewSource;
import io.derpwatch.sinks.DropReason;
import io.derpwatch.sinks.SinkStats;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.logs.Severity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /api/state} against its JSON Schema, {@code docs/status-page.schema.json}. */
class ApiStateSchemaTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static Schema schema() throws Exception {
        Path file = StatusFixtures.repositoryRoot().resolve("docs/status-page.schema.json");
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(Files.readString(file));
    }

    private static List<Error> problems(JsonNode doc) throws Exception {
        return schema().validate(doc);
    }

    @Test
    void stateView_withReportsEventsAndSinks_matchesTheSchema() throws Exception {
        StateStore state = new StateStore();
        StateViewSource view = StateViewSource.subscribe("agent", state, 2, () -> List.of(sink()), Clock.systemUTC());
        DerpMap map = map();
        for (int i = 0; i < 3; i++) {
            state.publish(
                    NetcheckSnapshot.TOPIC,
                    NetcheckSnapshot.of(report(Instant.parse("2026-12-01T12:00:0" + i + "Z")), map));
        }
        view.event("tailscale.netcheck.udp.changed", Severity.WARN, "no UDP STUN reply");

        JsonNode doc = JSON.readTree(AgentViewCodec.write(view.snapshot()));

        assertThat(problems(doc)).isEmpty();
        // bounded: the two newest of three reports
        assertThat(doc.path("history")).hasSize(2);
        assertThat(doc.at("/history/0/at").asText()).isEqualTo("2026-12-01T12:00:01Z");
        assertThat(doc.at("/history/1/latencyMs/1").asDouble()).isEqualTo(12.5);
        assertThat(doc.at("/history/1/unanswered").toString()).isEqualTo("[2]");
        assertThat(doc.at("/regions/1/latencyMs").isNull()).isTrue();
        assertThat(doc.at("/regions/0/preferred").asBoolean()).isTrue();
        assertThat(doc.at("/sinks/0/dropped").toString()).isEqualTo("{\"queue_full\":3}");
        assertThat(doc.toString()).doesNotContain("203.0.113.7"); // the public address STUN saw stays out
    }

    @Test
    void stateView_listsTheChangeEventsTheEmitterMakes_andTheNodeMapBeforeAnyReport() throws Exception {
        StateStore state = new StateStore();
        StateViewSource view = StateViewSource.subscribe("agent", state, 5, List::of, Clock.systemUTC());
        ChangeEventEmitter.subscribe(
                        state,
                        new EventEmitter(OpenTelemetry.noop().getLogsBridge().get("test")),
                        dir.resolve("s"))
                .listen(view::event);

        state.publish(NodeDerpMap.TOPIC, new NodeDerpMap(map(), Instant.parse("2026-12-01T12:00:00Z"), 0));
        JsonNode before = JSON.readTree(AgentViewCodec.write(view.snapshot()));
        assertThat(problems(before)).isEmpty();
        assertThat(before.path("regions")).hasSize(2);
        assertThat(before.at("/regions/0/latencyMs").isNull()).isTrue();
        assertThat(before.at("/regions/0/preferred").asBoolean()).isFalse();
        assertThat(before.path("netcheck").isNull()).isTrue();

        state.publish(
                NetcheckSnapshot.TOPIC, NetcheckSnapshot.of(report(Instant.parse("2026-12-01T12:00:01Z")), map()));
        state.publish(
                NetcheckSnapshot.TOPIC,
                NetcheckSnapshot.of(report(Instant.parse("2026-12-01T12:00:02Z"), false), map()));
        JsonNode after = JSON.readTree(AgentViewCodec.write(view.snapshot()));

        assertThat(problems(after)).isEmpty();
        assertThat(after.path("events")).hasSize(1);
        assertThat(after.at("/events/0/name").asText()).isEqualTo(TelemetryNames.EVENT_NETCHECK_UDP_CHANGED);
        assertThat(after.at("/events/0/severity").asText()).isEqualTo("WARN");
        assertThat(after.at("/netcheck/udp").asBoolean()).isFalse();
        assertThat(after.path("history")).hasSize(2);
    }

    @Test
    void schema_rejectsADocumentWithoutHome() throws Exception {
        StateViewSource view = StateViewSource.subscribe("agent", new StateStore(), 2, List::of, Clock.systemUTC());
        ObjectNode doc = (ObjectNode) JSON.readTree(AgentViewCodec.write(view.snapshot()));
        doc.remove("home");

        assertThat(problems(doc)).isNotEmpty();
    }

    @Test
    void agentOnTheLab_servesApiStateMatchingTheSchema() throws Exception {
        try (GlanceLab lab = GlanceLab.start(dir)) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
                JsonNode doc = JSON.readTree(lab.get("/api/state", null).body());
                assertThat(problems(doc)).isEmpty();
                assertThat(doc.at("/home/regionCode").asText()).isEqualTo(GlanceLab.HOME);
                assertThat(doc.at("/home/connected").asBoolean()).isTrue();
                assertThat(doc.path("regions")).hasSize(4);
                assertThat(doc.path("history")).isNotEmpty();
                assertThat(doc.path("sinks")).isNotEmpty();
            });
        }
    }

    private static SinkStats sink() {
        return new SinkStats(
                "backend",
                10,
                0,
                6,
                2,
                Map.of(DropReason.QUEUE_FULL, 3L),
                1,
                100,
                2,
                0,
                "connection refused",
                true,
                0,
                java.time.Duration.ZERO);
    }

    private static DerpMap map() {
        TreeMap<Integer, DerpRegion> regions = new TreeMap<>();
        regions.put(1, new DerpRegion(1, "aaa", "Region A", false, false, List.of()));
        regions.put(2, new DerpRegion(2, "bbb", "Region B", false, false, List.of()));
        return new DerpMap(regions, Map.of(), false);
    }

    private static NetcheckReport report(Instant at) {
        return report(at, true);
    }

    private static NetcheckReport report(Instant at, boolean udp) {
        return new NetcheckReport(
                at,
                Duration.ofMillis(800),
                udp,
                true,
                false,
                true,
                false,
                true,
                Optional.of(false),
                1,
                List.of(new RegionLatency(1, AddressFamily.IPV4, ProbeKind.STUN, Duration.ofNanos(12_500_000))),
                Optional.of(new java.net.InetSocketAddress("203.0.113.7", 41641)),
                Optional.empty(),
                Optional.empty(),
                List.of(1, 2));
    }
}
