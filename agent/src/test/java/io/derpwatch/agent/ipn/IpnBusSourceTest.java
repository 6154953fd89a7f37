package io.derpwatch.agent.ipn;

import static io.derpwatch.agent.telemetry.TelemetryNames.CURRENT;
import static io.derpwatch.agent.telemetry.TelemetryNames.EVENT_BACKEND_STATE_CHANGED;
import static io.derpwatch.agent.telemetry.TelemetryNames.EVENT_HEALTH_WARNING;
import static io.derpwatch.agent.telemetry.TelemetryNames.EVENT_HEALTH_WARNING_FLAPPING;
import static io.derpwatch.agent.telemetry.TelemetryNames.EVENT_HOME_CONNECTION_CHANGED;
import static io.derpwatch.agent.telemetry.TelemetryNames.FLAPPING_CHANGES;
import static io.derpwatch.agent.telemetry.TelemetryNames.HEALTH_STATE;
import static io.derpwatch.agent.telemetry.TelemetryNames.HEALTH_WARNING_CODE;
import static io.derpwatch.agent.telemetry.TelemetryNames.HEALTH_WARNING_REGION_ID;
import static io.derpwatch.agent.telemetry.TelemetryNames.HEALTH_WARNING_SEVERITY;
import static io.derpwatch.agent.telemetry.TelemetryNames.REASON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.derpwatch.agent.derp.DerpMapSource;
import io.derpwatch.agent.derp.NodeDerpMap;
import io.derpwatch.agent.events.ChangeEventEmitter;
import io.derpwatch.agent.home.HomeReason;
import io.derpwatch.agent.home.HomeSnapshot;
import io.derpwatch.agent.home.StatusSource;
import io.derpwatch.agent.localapi.LocalApiClient;
import io.derpwatch.agent.source.AgentClock;
import io.derpwatch.agent.source.ComponentState;
import io.derpwatch.agent.source.PollSchedule;
import io.derpwatch.agent.source.PolledSourceRunner;
import io.derpwatch.agent.source.SourceEnvironment;
import io.derpwatch.agent.source.StreamingSourceRunner;
import io.derpwatch.agent.source.Supervision;
import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.telemetry.EventEmitter;
import io.derpwatch.agent.telemetry.Telemetry;
import io.derpwatch.agent.telemetry.TelemetryNames;
import io.derpwatch.lab.IpnBus;
import io.derpwatch.lab.LocalApiEmulator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.LogRecordProcessor;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryLogRecordExporter;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IPN-bus watch under the shared streaming runner on a real event loop against the lab's bus on a real Unix socket, with the status and DERP
 * map sources beside it, the change-event emitter and the health gauges, read through the OpenTelemetry SDK.
 * The status source polls every five minutes here: whatever changes within a test came over the bus.
 */
class IpnBusSourceTest {
    private static final String NO_DERP_CONNECTION = BusHomeRule.NO_DERP_CONNECTION;

    @TempDir
    Path dir;

    private final AtomicLong ticker = new AtomicLong();
    private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    private final InMemoryLogRecordExporter logs = InMemoryLogRecordExporter.create();
    private final AtomicInteger statusReads = new AtomicInteger();
    private SdkMeterProvider meterProvider;
    private SdkLoggerProvider loggerProvider;
    private EventLoopGroup group;
    private LocalApiEmulator lab;
    private StateStore state;
    private PolledSourceRunner<NodeDerpMap> derpMap;
    private PolledSourceRunner<HomeSnapshot> status;
    private IpnBusSource watch;
    private StreamingSourceRunner<byte[]> runner;

    private void start(FlappingSettings flapping, LogRecordProcessor processor) {
        meterProvider = SdkMeterProvider.builder().registerMetricReader(metrics).build();
        loggerProvider =
                SdkLoggerProvider.builder().addLogRecordProcessor(processor).build();
        Telemetry telemetry = new Telemetry(
                meterProvider.get("io.derpwatch"),
                new EventEmitter(loggerProvider.get("io.derpwatch"), processor::forceFlush));
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
                3, // stall after three intervals (the derpwatch.health default)
                bound -> 0);
        IpnInstruments.register(telemetry.meter(), state);
        ChangeEventEmitter.subscribe(state, telemetry.events(), lab.socket(), telemetry.meter(), flapping, ticker::get);
        derpMap = env.poll(
                new DerpMapSource(client),
                PollSchedule.every(Duration.ofMinutes(5), Duration.ofSeconds(5)),
                m -> state.publish(NodeDerpMap.TOPIC, m));
        IpnBusSource[] w = new IpnBusSource[1];
        status = env.poll(
                new StatusSource(client, state, derpMap::sampleOnce),
                PollSchedule.every(Duration.ofMinutes(5), Duration.ofSeconds(5)),
                s -> {
                    HomeSnapshot home = w[0] == null ? s : w[0].overlay(s);
                    state.publish(HomeSnapshot.TOPIC, home);
                    if (w[0] != null) {
                        w[0].statusPublished(home);
                    }
                });
        IpnBusSettings settings = new IpnBusSettings(true, 64 * 1024, Duration.ofMillis(20), Duration.ofMillis(200));
        watch = w[0] = new IpnBusSource(client, state, settings.maxRecordSize(), () -> {
            statusReads.incrementAndGet();
            return status.sampleOnce();
        });
        runner = env.stream(watch, IpnBusSource.schedule(settings, Duration.ofSeconds(5)));
    }

    private void startWatching() {
        start(FlappingSettings.OFF, SimpleLogRecordProcessor.create(logs));
        runner.start();
        awaitOpen(1);
    }

    private void awaitOpen(int connects) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> watch.connects() >= connects
                        && IpnBusSource.MODE_BUS.equals(watch.mode())
                        && lab.ipnBus().watchers() == 1
                        && statusReads.get() >= connects);
        // the re-read after connect published a status; the initial notify published health
        await().atMost(Duration.ofSeconds(10))
                .until(() -> state.latest(HealthSnapshot.TOPIC).isPresent()
                        && state.latest(HomeSnapshot.TOPIC).isPresent());
    }

    @AfterEach
    void tearDown() {
        if (watch != null) {
            runner.stop();
            status.stop();
            derpMap.stop();
        }
        if (lab != null) {
            lab.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            meterProvider.close();
            loggerProvider.close();
        }
    }

    private List<LogRecordData> events(String name) {
        return logs.getFinishedLogRecordItems().stream()
                .filter(r -> name.equals(r.getEventName()))
                .toList();
    }

    private List<String> eventNames() {
        return logs.getFinishedLogRecordItems().stream()
                .map(LogRecordData::getEventName)
                .toList();
    }

    private void raiseDerpLoss() {
        lab.ipnBus()
                .raise(
                        NO_DERP_CONNECTION,
                        "high",
                        "Relay server unavailable",
                        "Tailscale could not connect to the 'r3' relay server.",
                        true,
                        Map.of("RegionID", "3", "RegionName", "r3"));
    }

    private Map<String, Long> gauge(String name) {
        Collection<MetricData> all = metrics.collectAllMetrics();
        Map<String, Long> out = new java.util.TreeMap<>();
        for (MetricData m : all) {
            if (m.getName().equals(name)) {
                for (LongPointData p : m.getLongGaugeData().getPoints()) {
                    out.put(p.getAttributes().toString(), p.getValue());
                }
            }
        }
        return out;
    }

    @Test
    void watch_asksWithTheMaskForTheDaemonsVersion_andReReadsStatusAfterConnecting() {
        startWatching();

        String version = state.latest(HomeSnapshot.TOPIC)
                .orElseThrow()
                .status()
                .orElseThrow()
                .version();
        assertThat(lab.ipnBus().lastMask()).isEqualTo(WatchMask.forVersion(version));
        assertThat(statusReads.get()).isGreaterThanOrEqualTo(1);
        assertThat(runner.health().state()).isEqualTo(ComponentState.CONNECTED);
    }

    @Test
    void derpLossOnTheBus_isAHealthEventThenAHomeChange_withoutAStatusPoll() {
        startWatching();
        int readsBefore = statusReads.get();

        raiseDerpLoss();

        await().atMost(Duration.ofSeconds(10))
                .until(() -> events(EVENT_HOME_CONNECTION_CHANGED).stream()
                        .anyMatch(e -> Long.valueOf(0).equals(e.getAttributes().get(CURRENT))));
        List<String> names = eventNames();
        assertThat(names.indexOf(EVENT_HEALTH_WARNING))
                .as("the health event comes before the home change it causes")
                .isLessThan(names.lastIndexOf(EVENT_HOME_CONNECTION_CHANGED));
        LogRecordData health = events(EVENT_HEALTH_WARNING).get(0);
        assertThat(health.getAttributes().get(HEALTH_STATE)).isEqualTo("raised");
        assertThat(health.getAttributes().get(HEALTH_WARNING_CODE)).isEqualTo(NO_DERP_CONNECTION);
        assertThat(health.getAttributes().get(HEALTH_WARNING_SEVERITY)).isEqualTo("high");
        assertThat(health.getAttributes().get(HEALTH_WARNING_REGION_ID)).isEqualTo("3");
        LogRecordData drop = events(EVENT_HOME_CONNECTION_CHANGED)
                .get(events(EVENT_HOME_CONNECTION_CHANGED).size() - 1);
        assertThat(drop.getAttributes().get(REASON)).isEqualTo(HomeReason.DERP_UNREACHABLE.wireName());
        assertThat(state.latest(HomeSnapshot.TOPIC).orElseThrow().connection().value())
                .isZero();
        assertThat(statusReads.get()).as("no status read was needed").isEqualTo(readsBefore);
        assertThat(gauge(TelemetryNames.HEALTH_WARNINGS)).containsValue(1L);
        assertThat(gauge(TelemetryNames.HEALTH_WARNING_ACTIVE)).hasSize(1);
    }

    @Test
    void resolvedOnTheBus_isAResolvedEvent_andTheHomeConnectionComesBack() {
        startWatching();
        raiseDerpLoss();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> state.latest(HomeSnapshot.TOPIC)
                                .orElseThrow()
                                .connection()
                                .value()
                        == 0);

        lab.ipnBus().resolve(NO_DERP_CONNECTION);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> state.latest(HomeSnapshot.TOPIC)
                                .orElseThrow()
                                .connection()
                                .value()
                        == 1);
        assertThat(events(EVENT_HEALTH_WARNING))
                .extracting(e -> e.getAttributes().get(HEALTH_STATE))
                .containsExactly("raised", "resolved");
        assertThat(events(EVENT_HOME_CONNECTION_CHANGED))
                .extracting(e -> e.getAttributes().get(CURRENT))
                .containsExactly(1L, 0L, 1L);
        assertThat(gauge(TelemetryNames.HEALTH_WARNING_ACTIVE)).isEmpty();
    }

    @Test
    void backendStateOnTheBus_isAChangedEvent_andTheGauge() {
        startWatching();

        lab.ipnBus().state(4); // Stopped

        await().atMost(Duration.ofSeconds(10))
                .until(() -> state.latest(BackendSnapshot.TOPIC)
                        .map(b -> b.state() == BackendState.STOPPED)
                        .orElse(false));
        List<LogRecordData> changed = events(EVENT_BACKEND_STATE_CHANGED);
        assertThat(changed.get(changed.size() - 1).getAttributes().get(TelemetryNames.BACKEND_STATE_NAME))
                .isEqualTo("Stopped");
        assertThat(changed.get(changed.size() - 1).getAttributes().get(TelemetryNames.PREVIOUS_BACKEND_STATE))
                .isEqualTo("Running");
        assertThat(gauge(TelemetryNames.BACKEND_STATE_GAUGE).keySet())
                .singleElement()
                .satisfies(k -> assertThat(k).contains("Stopped").contains("bus"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> state.latest(HomeSnapshot.TOPIC)
                                .orElseThrow()
                                .connection()
                                .value()
                        == 0);
    }

    @Test
    void silentDisconnect_reconnects_andReReadsStatus() {
        startWatching();
        int reads = statusReads.get();

        lab.ipnBus().silentDisconnect();

        awaitOpen(2);
        assertThat(lab.ipnBus().watchRequests()).isGreaterThanOrEqualTo(2);
        assertThat(statusReads.get()).isGreaterThan(reads);
        raiseDerpLoss(); // the new watch reads
        await().atMost(Duration.ofSeconds(10))
                .until(() -> state.latest(HomeSnapshot.TOPIC)
                                .orElseThrow()
                                .connection()
                                .value()
                        == 0);
    }

    @Test
    void fellBehind_reconnects() {
        startWatching();

        lab.ipnBus().fellBehind();

        awaitOpen(2);
        assertThat(lab.ipnBus().watchRequests()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aRecordThatIsNotJson_isCountedAndSkipped_andTheWatchReadsOn() {
        startWatching();

        lab.ipnBus().sendRaw("{not json");
        raiseDerpLoss();

        await().atMost(Duration.ofSeconds(10))
                .until(() -> state.latest(HomeSnapshot.TOPIC)
                                .orElseThrow()
                                .connection()
                                .value()
                        == 0);
        assertThat(watch.connects()).isEqualTo(1);
        assertThat(errors("bad_record")).isEqualTo(1);
    }

    @Test
    void noBus_staysInPollMode_andTheStatusStillDecides() {
        start(FlappingSettings.OFF, SimpleLogRecordProcessor.create(logs));
        lab.ipnBus().support(IpnBus.Support.NO_BUS);

        runner.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> lab.ipnBus().watchRequests() >= 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> errors("http_status") >= 1);
        assertThat(watch.mode()).isEqualTo(IpnBusSource.MODE_POLL);
        assertThat(watch.connects()).isZero();
        assertThat(state.latest(HomeSnapshot.TOPIC).orElseThrow().connection().value())
                .isEqualTo(1);
        assertThat(state.latest(BackendSnapshot.TOPIC).orElseThrow().mode()).isEqualTo(IpnBusSource.MODE_POLL);
    }

    @Test
    void aWarningThatFlaps_isOneFlappingEvent_thenSilence_butEveryChangeCounts() {
        start(new FlappingSettings(2, Duration.ofMinutes(10)), SimpleLogRecordProcessor.create(logs));
        runner.start();
        awaitOpen(1);

        for (int i = 0; i < 3; i++) {
            raiseDerpLoss();
            lab.ipnBus().resolve(NO_DERP_CONNECTION);
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> warningChanges() == 6);
        assertThat(events(EVENT_HEALTH_WARNING))
                .extracting(e -> e.getAttributes().get(HEALTH_STATE))
                .containsExactly("raised", "resolved");
        assertThat(events(EVENT_HEALTH_WARNING_FLAPPING)).singleElement().satisfies(e -> {
            assertThat(e.getAttributes().get(FLAPPING_CHANGES)).isEqualTo(3L);
            assertThat(e.getAttributes().get(HEALTH_WARNING_CODE)).isEqualTo(NO_DERP_CONNECTION);
        });
        assertThat(state.latest(HealthSnapshot.TOPIC).orElseThrow().warnings()).isEmpty();
    }

    private long errors(String type) {
        return metrics.collectAllMetrics().stream()
                .filter(m -> m.getName().equals(TelemetryNames.SOURCE_ERRORS))
                .flatMap(m -> m.getLongSumData().getPoints().stream())
                .filter(p -> type.equals(p.getAttributes().get(TelemetryNames.ERROR_TYPE))
                        && TelemetryNames.SOURCE_IPN_BUS.equals(
                                p.getAttributes().get(TelemetryNames.SOURCE_NAME)))
                .mapToLong(LongPointData::getValue)
                .sum();
    }

    private long warningChanges() {
        return metrics.collectAllMetrics().stream()
                .filter(m -> m.getName().equals(TelemetryNames.HEALTH_WARNING_CHANGES))
                .flatMap(m -> m.getLongSumData().getPoints().stream())
                .mapToLong(LongPointData::getValue)
                .sum();
    }

    @Test
    void aSinkThatNeverReturns_doesNotSlowTheReader() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<LogRecordData> exported = new ArrayList<>();
        LogRecordExporter blocked = new LogRecordExporter() {
            @Override
            public CompletableResultCode export(Collection<LogRecordData> records) {
                try {
                    release.await(); // a sink blocked until the test ends
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                synchronized (exported) {
                    exported.addAll(records);
                }
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        };
        start(
                FlappingSettings.OFF,
                BatchLogRecordProcessor.builder(blocked)
                        .setMaxExportBatchSize(1)
                        .setMaxQueueSize(4)
                        .build());
        try {
            runner.start();
            awaitOpen(1);

            // far more events than the batcher holds, while its exporter is stuck on the first one
            for (int i = 0; i < 20; i++) {
                raiseDerpLoss();
                lab.ipnBus().resolve(NO_DERP_CONNECTION);
            }
            lab.ipnBus().state(4);

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> state.latest(BackendSnapshot.TOPIC)
                            .map(b -> b.state() == BackendState.STOPPED)
                            .orElse(false));
            assertThat(watch.connects()).as("the watch never fell behind").isEqualTo(1);
            synchronized (exported) {
                assertThat(exported).as("the sink is still stuck").isEmpty();
            }
        } finally {
            release.countDown();
        }
    }
}
