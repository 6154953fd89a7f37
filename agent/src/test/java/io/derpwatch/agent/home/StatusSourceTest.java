package io.derpwatch.agent.home;

import static io.derpwatch.agent.telemetry.TelemetryNames.BACKEND_STATE;
import static io.derpwatch.agent.telemetry.TelemetryNames.CURRENT;
import static io.derpwatch.agent.telemetry.TelemetryNames.ERRORS_SUPPRESSED;
import static io.derpwatch.agent.telemetry.TelemetryNames.ERROR_TYPE;
import static io.derpwatch.agent.telemetry.TelemetryNames.EVENT_HOME_CONNECTION_CHANGED;
import static io.derpwatch.agent.telemetry.TelemetryNames.EVENT_HOME_REGION_CHANGED;
import static io.derpwatch.agent.telemetry.TelemetryNames.EVENT_SOURCE_ERROR;
import static io.derpwatch.agent.telemetry.TelemetryNames.HEALTH_WARNING;
import static io.derpwatch.agent.telemetry.TelemetryNames.HOME_CONNECTION;
import static io.derpwatch.agent.telemetry.TelemetryNames.LOCALAPI_PATH;
import static io.derpwatch.agent.telemetry.TelemetryNames.LOCALAPI_SOCKET;
import static io.derpwatch.agent.telemetry.TelemetryNames.PREVIOUS;
import static io.derpwatch.agent.telemetry.TelemetryNames.PREVIOUS_REGION_CODE;
import static io.derpwatch.agent.telemetry.TelemetryNames.PREVIOUS_REGION_ID;
import static io.derpwatch.agent.telemetry.TelemetryNames.REASON;
import static io.derpwatch.agent.telemetry.TelemetryNames.REGION_CODE;
import static io.derpwatch.agent.telemetry.TelemetryNames.REGION_ID;
import static io.derpwatch.agent.telemetry.TelemetryNames.REGION_NAME;
import static io.derpwatch.agent.telemetry.TelemetryNames.SOURCE_ERRORS;
import static io.derpwatch.agent.telemetry.TelemetryNames.SOURCE_NAME;
import static io.derpwatch.agent.telemetry.TelemetryNames.SOURCE_SAMPLES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.derpwatch.agent.derp.DerpMapSource;
import io.derpwatch.agent.derp.NodeDerpMap;
import io.derpwatch.agent.events.ChangeEventEmitter;
import io.derpwatch.agent.localapi.LocalApiClient;
import io.derpwatch.agent.source.AgentClock;
import io.derpwatch.agent.source.PollSchedule;
import io.derpwatch.agent.source.PolledSourceRunner;
import io.derpwatch.agent.source.Source;
import io.derpwatch.agent.source.SourceEnvironment;
import io.derpwatch.agent.source.Supervision;
import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.telemetry.EventEmitter;
import io.derpwatch.agent.telemetry.Telemetry;
import io.derpwatch.lab.LabNodeState;
import io.derpwatch.lab.LabScenario;
import io.derpwatch.lab.LocalApiEmulator;
import io.derpwatch.lab.Misbehaviour;
import io.derpwatch.lab.ScenarioRunner;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryLogRecordExporter;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The status source (with the DERP map source it asks), run by the source model on a real event loop against the lab emulator on a real Unix socket: the lab's state is
 * flipped, and the snapshot in the state store, the gauge and counters (read through the OpenTelemetry SDK)
 * and the emitted events are checked.
 */
class StatusSourceTest {
    private static final String NO_DERP_CONNECTION = LabNodeState.noDerpConnectionWarning("r3");

    @TempDir
    Path dir;

    private final AtomicLong ticker = new AtomicLong();
    private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    private final InMemoryLogRecordExporter logs = InMemoryLogRecordExporter.create();
    private SdkMeterProvider meterProvider;
    private SdkLoggerProvider loggerProvider;
    private EventLoopGroup group;
    private LocalApiEmulator lab;
    private StateStore state;
    private Source source;
    private Source derpMap;

    @BeforeEach
    void setUp() {
        meterProvider = SdkMeterProvider.builder().registerMetricReader(metrics).build();
        loggerProvider = SdkLoggerProvider.builder()
                .addLogRecordProcessor(SimpleLogRecordProcessor.create(logs))
                .build();
        Telemetry telemetry =
                new Telemetry(meterProvider.get("io.derpwatch"), new EventEmitter(loggerProvider.get("io.derpwatch")));
        group = new MultiThreadIoEventLoopGroup(
                1, Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        lab = LocalApiEmulator.start(dir.resolve("tailscaled.sock"));
        LocalApiClient client = new LocalApiClient(group, lab.socket(), Duration.ofSeconds(2), 1024 * 1024);
        state = new StateStore();
        AgentClock clock = new AgentClock() {
            @Override
            public long monotonicNanos() {
                return ticker.get();
            }

            @Override
            public Instant wallTime() {
                return Instant.now();
            }
        };
        SourceEnvironment env = new SourceEnvironment(
                group.next(),
                telemetry,
                clock,
                new Supervision(telemetry.meter()),
                Duration.ofMinutes(5),
                SourceEnvironment.STALL_INTERVALS,
                bound -> 0);
        HomeConnectionInstruments.register(telemetry.meter(), state);
        ChangeEventEmitter.subscribe(state, telemetry.events(), lab.socket());
        PolledSourceRunner<NodeDerpMap> maps = env.poll(
                new DerpMapSource(client),
                PollSchedule.every(Duration.ofMinutes(5), Duration.ofSeconds(5)),
                m -> state.publish(NodeDerpMap.TOPIC, m));
        derpMap = maps;
        source = env.poll(
                new StatusSource(client, state, maps::sampleOnce),
                PollSchedule.every(Duration.ofMillis(200), Duration.ofSeconds(5)),
                s -> state.publish(HomeSnapshot.TOPIC, s));
    }

    @AfterEach
    void tearDown() {
        source.stop();
        derpMap.stop();
        if (lab != null) {
            lab.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        meterProvider.close();
        loggerProvider.close();
    }

    @Test
    void firstSample_connected_isOneWithTheNamedRegion_andAnnounced() throws Exception {
        sample();

        HomeConnection c = state.latest(HomeSnapshot.TOPIC).orElseThrow().connection();
        assertThat(c)
                .isEqualTo(new HomeConnection(
                        1,
                        HomeReason.CONNECTED,
                        Optional.of(new HomeRegion("r3", OptionalInt.of(3), Optional.of("r3"))),
                        Optional.empty()));
        assertThat(gauge()).singleElement().satisfies(p -> {
            assertThat(p.getValue()).isEqualTo(1);
            assertThat(p.getAttributes()).isEqualTo(Attributes.of(REGION_ID, 3L, REGION_CODE, "r3", REGION_NAME, "r3"));
        });
        assertThat(metric(HOME_CONNECTION).getUnit()).isEqualTo("1");
        LogRecordData event = events(EVENT_HOME_CONNECTION_CHANGED).get(0);
        assertThat(events(EVENT_HOME_CONNECTION_CHANGED)).hasSize(1);
        assertThat(event.getSeverity()).isEqualTo(Severity.INFO);
        assertThat(event.getAttributes().get(CURRENT)).isEqualTo(1L);
        assertThat(event.getAttributes().get(PREVIOUS)).isNull();
        assertThat(event.getAttributes().get(REASON)).isEqualTo("connected");
        assertThat(event.getAttributes().get(REGION_CODE)).isEqualTo("r3");
        assertThat(event.getAttributes().get(BACKEND_STATE)).isEqualTo("Running");
        assertThat(counter(SOURCE_SAMPLES)).isEqualTo(1);
    }

    @Test
    void noDerpConnectionWarning_dropsToZero_andRecovers_oneEventPerChange() throws Exception {
        sample();
        lab.update(s -> s.withHealth(NO_DERP_CONNECTION));
        sample();
        assertThat(state.latest(HomeSnapshot.TOPIC).orElseThrow().connection().reason())
                .isEqualTo(HomeReason.DERP_UNREACHABLE);
        assertThat(gauge())
                .singleElement()
                .satisfies(p -> assertThat(p.getValue()).isZero());
        sample(); // unchanged: no event
        lab.setState(LabNodeState.connected());
        sample();

        List<LogRecordData> changes = events(EVENT_HOME_CONNECTION_CHANGED);
        assertThat(changes).extracting(e -> e.getAttributes().get(CURRENT)).containsExactly(1L, 0L, 1L);
        LogRecordData drop = changes.get(1);
        assertThat(drop.getSeverity()).isEqualTo(Severity.WARN);
        assertThat(drop.getAttributes().get(PREVIOUS)).isEqualTo(1L);
        assertThat(drop.getAttributes().get(REASON)).isEqualTo("derp_unreachable");
        assertThat(drop.getAttributes().get(HEALTH_WARNING)).isEqualTo(NO_DERP_CONNECTION);
        assertThat(drop.getAttributes().get(REGION_ID)).isEqualTo(3L);
        assertThat(changes.get(2).getAttributes().get(PREVIOUS)).isZero();
        assertThat(state.latest(HomeSnapshot.TOPIC).orElseThrow().connection().value())
                .isEqualTo(1);
    }

    @Test
    void tailscaledGone_isZeroUnreachable_oneErrorEventForManyFailures_andRecovers() throws Exception {
        sample();
        Path socket = lab.socket();
        lab.close();
        lab = null;
        sample();
        sample();
        sample();

        HomeSnapshot down = state.latest(HomeSnapshot.TOPIC).orElseThrow();
        assertThat(down.connection().value()).isZero();
        assertThat(down.connection().reason()).isEqualTo(HomeReason.LOCALAPI_UNREACHABLE);
        assertThat(down.connection().region().map(HomeRegion::code)).contains("r3");
        assertThat(down.error().orElseThrow().kind().wireName()).isEqualTo("socket_missing");
        assertThat(events(EVENT_SOURCE_ERROR)).singleElement().satisfies(e -> {
            assertThat(e.getSeverity()).isEqualTo(Severity.WARN);
            assertThat(e.getAttributes().get(SOURCE_NAME)).isEqualTo("status");
            assertThat(e.getAttributes().get(ERROR_TYPE)).isEqualTo("socket_missing");
            assertThat(e.getAttributes().get(LOCALAPI_SOCKET)).isEqualTo(socket.toString());
            assertThat(e.getAttributes().get(LOCALAPI_PATH)).isEqualTo("/localapi/v0/status");
        });
        assertThat(counter(SOURCE_ERRORS, Attributes.of(SOURCE_NAME, "status", ERROR_TYPE, "socket_missing")))
                .isEqualTo(3);
        assertThat(gauge()).singleElement().satisfies(p -> {
            assertThat(p.getValue()).isZero();
            assertThat(p.getAttributes().get(REGION_CODE)).isEqualTo("r3");
        });

        lab = LocalApiEmulator.start(socket);
        sample();

        assertThat(state.latest(HomeSnapshot.TOPIC).orElseThrow().connection().value())
                .isEqualTo(1);
        assertThat(events(EVENT_HOME_CONNECTION_CHANGED))
                .extracting(e -> e.getAttributes().get(REASON))
                .containsExactly("connected", "localapi_unreachable", "connected");
        assertThat(events(EVENT_HOME_CONNECTION_CHANGED).get(1).getAttributes().get(ERROR_TYPE))
                .isEqualTo("socket_missing");
    }

    @Test
    void sameErrorLater_isReportedAgainWithHowManyWereHeldBack() throws Exception {
        lab.misbehave(Misbehaviour.SERVER_ERROR);
        sample();
        sample();
        sample();
        ticker.addAndGet(Duration.ofMinutes(5).toNanos());
        sample();

        assertThat(events(EVENT_SOURCE_ERROR))
                .extracting(e -> e.getAttributes().get(ERRORS_SUPPRESSED))
                .containsExactly(0L, 2L);
    }

    @ParameterizedTest(name = "{0} -> 0 {1} ({2}), then back to 1")
    @CsvSource({
        "GARBAGE_JSON, localapi_error, malformed_json",
        "TRUNCATED_BODY, localapi_error, truncated",
        "OVERSIZED_BODY, localapi_error, body_too_large",
        "OVERSIZED_CHUNKED_BODY, localapi_error, body_too_large",
        "SERVER_ERROR, localapi_error, http_status",
        "NO_ANSWER, localapi_unreachable, timeout"
    })
    void misbehavingLocalApi_isZeroWithAClearError_andTheSourceRecovers(
            Misbehaviour how, String reason, String errorType) throws Exception {
        sample();
        lab.misbehave(how);
        sample();

        HomeSnapshot bad = state.latest(HomeSnapshot.TOPIC).orElseThrow();
        assertThat(bad.connection().value()).isZero();
        assertThat(bad.connection().reason().wireName()).isEqualTo(reason);
        assertThat(events(EVENT_SOURCE_ERROR))
                .singleElement()
                .satisfies(e -> assertThat(e.getAttributes().get(ERROR_TYPE)).isEqualTo(errorType));

        lab.misbehave(Misbehaviour.NONE);
        sample();

        assertThat(state.latest(HomeSnapshot.TOPIC).orElseThrow().connection().value())
                .isEqualTo(1);
    }

    @Test
    void brokenDerpMap_isReported_butTheSampleStandsWithTheCodeAlone() throws Exception {
        lab.misbehaveOn("/localapi/v0/derpmap", Misbehaviour.GARBAGE_JSON);

        sample();

        HomeConnection c = state.latest(HomeSnapshot.TOPIC).orElseThrow().connection();
        assertThat(c.value()).isEqualTo(1);
        assertThat(c.region()).contains(HomeRegion.codeOnly("r3"));
        assertThat(events(EVENT_SOURCE_ERROR)).singleElement().satisfies(e -> {
            assertThat(e.getAttributes().get(LOCALAPI_PATH)).isEqualTo("/localapi/v0/derpmap");
            assertThat(e.getAttributes().get(ERROR_TYPE)).isEqualTo("malformed_json");
        });

        lab.misbehaveOn("/localapi/v0/derpmap", Misbehaviour.NONE);
        sample(); // the map is still unknown, so it is read again

        assertThat(state.latest(HomeSnapshot.TOPIC).orElseThrow().connection().region())
                .contains(new HomeRegion("r3", OptionalInt.of(3), Optional.of("r3")));
    }

    @Test
    void noDerpMap_givesTheRegionCodeAlone() throws Exception {
        lab.update(s -> s.withDerpMapPresent(false));

        sample();

        assertThat(gauge()).singleElement().satisfies(p -> {
            assertThat(p.getValue()).isEqualTo(1);
            assertThat(p.getAttributes()).isEqualTo(Attributes.of(REGION_CODE, "r3"));
        });
    }

    @Test
    void noHomeRegion_isZeroWithoutRegionAttributes() throws Exception {
        lab.update(s -> s.withRelay(""));

        sample();

        assertThat(gauge()).singleElement().satisfies(p -> {
            assertThat(p.getValue()).isZero();
            assertThat(p.getAttributes()).isEqualTo(Attributes.empty());
        });
        assertThat(state.latest(HomeSnapshot.TOPIC).orElseThrow().connection().reason())
                .isEqualTo(HomeReason.NO_HOME_REGION);
    }

    @Test
    void notRunning_isZeroNotRunning() throws Exception {
        lab.update(s -> s.withBackendState("Stopped"));

        sample();

        assertThat(state.latest(HomeSnapshot.TOPIC).orElseThrow().connection().reason())
                .isEqualTo(HomeReason.NOT_RUNNING);
        assertThat(events(EVENT_HOME_CONNECTION_CHANGED).get(0).getAttributes().get(BACKEND_STATE))
                .isEqualTo("Stopped");
    }

    @Test
    void homeRegionMoving_isAnnounced() throws Exception {
        sample();
        lab.update(s -> s.withRelay("r7"));
        sample();

        assertThat(events(EVENT_HOME_REGION_CHANGED)).singleElement().satisfies(e -> {
            assertThat(e.getAttributes().get(PREVIOUS_REGION_CODE)).isEqualTo("r3");
            assertThat(e.getAttributes().get(PREVIOUS_REGION_ID)).isEqualTo(3L);
            assertThat(e.getAttributes().get(REGION_CODE)).isEqualTo("r7");
            assertThat(e.getAttributes().get(REGION_ID)).isEqualTo(7L);
        });
        assertThat(events(EVENT_HOME_CONNECTION_CHANGED)).hasSize(1); // still connected: no change event
    }

    @Test
    void started_pollsOnItsOwnAndFollowsTheLab() {
        source.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> value() == 1);

        lab.update(s -> s.withHealth(NO_DERP_CONNECTION));
        await().atMost(Duration.ofSeconds(10)).until(() -> value() == 0);

        lab.setState(LabNodeState.connected());
        await().atMost(Duration.ofSeconds(10)).until(() -> value() == 1);
        assertThat(counter(SOURCE_SAMPLES)).isGreaterThanOrEqualTo(3);
    }

    @Test
    void demoScenario_showsTheHomeConnectionDropAndRecover() {
        ScenarioRunner demo = lab.run(LabScenario.demo(Duration.ofMillis(600)));
        try {
            source.start();

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> events(EVENT_HOME_CONNECTION_CHANGED).stream()
                                    .map(e -> e.getAttributes().get(REASON))
                                    .toList()
                                    .containsAll(List.of("connected", "derp_unreachable"))
                            && events(EVENT_HOME_CONNECTION_CHANGED).size() >= 3);
        } finally {
            demo.close();
        }
        List<String> reasons = events(EVENT_HOME_CONNECTION_CHANGED).stream()
                .map(e -> e.getAttributes().get(REASON))
                .toList();
        assertThat(reasons.subList(0, 3)).containsExactly("connected", "derp_unreachable", "connected");
    }

    private int value() {
        return state.latest(HomeSnapshot.TOPIC).map(s -> s.connection().value()).orElse(-1);
    }

    private void sample() throws Exception {
        source.sampleOnce().get(20, TimeUnit.SECONDS);
    }

    private List<LogRecordData> events(String name) {
        return logs.getFinishedLogRecordItems().stream()
                .filter(l -> name.equals(l.getEventName()))
                .toList();
    }

    private MetricData metric(String name) {
        return metrics.collectAllMetrics().stream()
                .filter(m -> m.getName().equals(name))
                .findFirst()
                .orElseThrow();
    }

    private List<LongPointData> gauge() {
        return List.copyOf(metric(HOME_CONNECTION).getLongGaugeData().getPoints());
    }

    private long counter(String name) {
        return counter(name, Attributes.of(SOURCE_NAME, "status"));
    }

    private long counter(String name, Attributes attributes) {
        return metric(name).getLongSumData().getPoints().stream()
                .filter(p -> p.getAttributes().equals(attributes))
                .mapToLong(LongPointData::getValue)
                .sum();
    }
}
