package io.derpwatch.agent.derpcheck;

import static io.derpwatch.agent.telemetry.TelemetryNames.CURRENT;
import static io.derpwatch.agent.telemetry.TelemetryNames.DERP_CHECK_REACHABLE;
import static io.derpwatch.agent.telemetry.TelemetryNames.DERP_CHECK_STEP;
import static io.derpwatch.agent.telemetry.TelemetryNames.EVENT_DERP_REACHABLE_CHANGED;
import static io.derpwatch.agent.telemetry.TelemetryNames.EVENT_HOME_CONNECTION_DISAGREEMENT;
import static io.derpwatch.agent.telemetry.TelemetryNames.PREVIOUS;
import static io.derpwatch.agent.telemetry.TelemetryNames.REASON;
import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpNode;
import io.derpwatch.agent.derp.DerpRegion;
import io.derpwatch.agent.derp.NodeDerpMap;
import io.derpwatch.agent.events.ChangeEventEmitter;
import io.derpwatch.agent.home.HomeConnection;
import io.derpwatch.agent.home.HomeReason;
import io.derpwatch.agent.home.HomeRegion;
import io.derpwatch.agent.home.HomeSnapshot;
import io.derpwatch.agent.net.NettyTransport;
import io.derpwatch.agent.source.AgentClock;
import io.derpwatch.agent.source.PollSchedule;
import io.derpwatch.agent.source.PolledSourceRunner;
import io.derpwatch.agent.source.SourceEnvironment;
import io.derpwatch.agent.source.Supervision;
import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.telemetry.EventEmitter;
import io.derpwatch.agent.telemetry.Telemetry;
import io.derpwatch.agent.telemetry.TelemetryNames;
import io.derpwatch.lab.net.LabCertificate;
import io.derpwatch.lab.net.LabDerpServer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryLogRecordExporter;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The active DERP check as a polled source against the lab's DERP stand-in on 127.0.0.1, with the home
 * snapshot and DERP map in the state store as the status and DERP map sources would leave them: a zombie home
 * DERP (tailscaled says connected, the server refuses TCP) is a reachability change naming the step and a
 * disagreement.
 */
class DerpCheckSourceTest {
    private static final String HOST = "derp3.lab.test";

    private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    private final InMemoryLogRecordExporter logs = InMemoryLogRecordExporter.create();
    private SdkMeterProvider meterProvider;
    private SdkLoggerProvider loggerProvider;
    private EventLoopGroup group;
    private LabDerpServer derp;
    private StateStore state;
    private PolledSourceRunner<DerpCheckSnapshot> check;

    @BeforeEach
    void setUp() throws Exception {
        meterProvider = SdkMeterProvider.builder().registerMetricReader(metrics).build();
        loggerProvider = SdkLoggerProvider.builder()
                .addLogRecordProcessor(SimpleLogRecordProcessor.create(logs))
                .build();
        Telemetry telemetry =
                new Telemetry(meterProvider.get("io.derpwatch"), new EventEmitter(loggerProvider.get("io.derpwatch")));
        group = NettyTransport.detect().newGroup(1);
        LabCertificate cert = LabCertificate.generate(List.of(HOST));
        LabCertificate other = LabCertificate.generate(List.of(HOST));
        SslContext serverTls =
                SslContextBuilder.forServer(cert.keyManagerFactory()).build();
        SslContext untrusted =
                SslContextBuilder.forServer(other.keyManagerFactory()).build();
        DerpCheckTls clientTls = DerpCheckTls.trusting(cert.trustManagerFactory(), true);
        derp = LabDerpServer.start(group, new InetSocketAddress("127.0.0.1", 0), serverTls, untrusted);
        state = new StateStore();
        DerpNode node = new DerpNode(
                "3a", 3, HOST, "127.0.0.1", "", 0, false, derp.address().getPort(), false);
        TreeMap<Integer, DerpRegion> regions = new TreeMap<>();
        regions.put(3, new DerpRegion(3, "r3", "r3", false, false, List.of(node)));
        state.publish(NodeDerpMap.TOPIC, new NodeDerpMap(new DerpMap(regions, Map.of(), false), Instant.now(), 0));
        state.publish(
                HomeSnapshot.TOPIC,
                new HomeSnapshot(
                        new HomeConnection(
                                1,
                                HomeReason.CONNECTED,
                                Optional.of(new HomeRegion("r3", OptionalInt.of(3), Optional.of("r3"))),
                                Optional.empty()),
                        Optional.empty(),
                        Optional.empty(),
                        Instant.now()));
        SourceEnvironment env = new SourceEnvironment(
                group.next(),
                telemetry,
                AgentClock.system(),
                new Supervision(telemetry.meter()),
                Duration.ofMinutes(5),
                3, // stall after three intervals (the derpwatch.health default)
                bound -> 0);
        DerpCheckInstruments.register(telemetry.meter(), state);
        ChangeEventEmitter.subscribe(state, telemetry.events(), Path.of("/run/unused.sock"))
                .withDerpCheck(state, new DisagreementRule(Duration.ZERO, System::nanoTime));
        DerpUpgradeSampler sampler = new DerpUpgradeSampler(
                env.loop(),
                NettyTransport.forGroup(group),
                clientTls,
                host -> CompletableFuture.failedFuture(new UnknownHostException(host)),
                Duration.ofSeconds(5),
                System::nanoTime);
        check = env.poll(
                new DerpCheckSource(sampler, state),
                PollSchedule.every(Duration.ofMinutes(5), Duration.ofSeconds(10)),
                s -> state.publish(DerpCheckSnapshot.TOPIC, s));
    }

    @AfterEach
    void tearDown() {
        check.stop();
        derp.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        meterProvider.close();
        loggerProvider.close();
    }

    private void sample() throws Exception {
        check.sampleOnce().get(30, TimeUnit.SECONDS);
    }

    private List<LogRecordData> events(String name) {
        return logs.getFinishedLogRecordItems().stream()
                .filter(r -> name.equals(r.getEventName()))
                .toList();
    }

    private long reachableGauge() {
        return metrics.collectAllMetrics().stream()
                .filter(m -> m.getName().equals(TelemetryNames.DERP_REGION_REACHABLE))
                .map(MetricData::getLongGaugeData)
                .flatMap(d -> d.getPoints().stream())
                .findFirst()
                .orElseThrow()
                .getValue();
    }

    @Test
    void healthyHomeDerp_isReachable_andQuiet() throws Exception {
        sample();

        assertThat(state.latest(DerpCheckSnapshot.TOPIC)
                        .orElseThrow()
                        .result()
                        .orElseThrow()
                        .reachable())
                .isTrue();
        assertThat(reachableGauge()).isEqualTo(1);
        assertThat(events(EVENT_DERP_REACHABLE_CHANGED)).isEmpty();
        assertThat(events(EVENT_HOME_CONNECTION_DISAGREEMENT)).isEmpty();
    }

    @Test
    void zombieHomeDerp_isAReachabilityChangeAtTcp_andADisagreementWithTailscaled() throws Exception {
        sample();
        derp.misbehave(LabDerpServer.Misbehaviour.REFUSE_TCP);

        sample();

        assertThat(reachableGauge()).isZero();
        assertThat(events(EVENT_DERP_REACHABLE_CHANGED)).singleElement().satisfies(e -> {
            assertThat(e.getAttributes().get(CURRENT)).isEqualTo(0L);
            assertThat(e.getAttributes().get(PREVIOUS)).isEqualTo(1L);
            assertThat(e.getAttributes().get(DERP_CHECK_STEP)).isEqualTo("tcp");
        });
        assertThat(events(EVENT_HOME_CONNECTION_DISAGREEMENT)).singleElement().satisfies(e -> {
            assertThat(e.getAttributes().get(DERP_CHECK_REACHABLE)).isFalse();
            assertThat(e.getAttributes().get(REASON)).isEqualTo("connected");
        });

        derp.misbehave(LabDerpServer.Misbehaviour.NONE);
        sample();
        assertThat(events(EVENT_DERP_REACHABLE_CHANGED))
                .extracting(e -> e.getAttributes().get(CURRENT))
                .containsExactly(0L, 1L);
    }

    @Test
    void noHomeRegionKnown_checksNothing() throws Exception {
        state.publish(
                HomeSnapshot.TOPIC,
                new HomeSnapshot(
                        new HomeConnection(0, HomeReason.NO_HOME_REGION, Optional.empty(), Optional.empty()),
                        Optional.empty(),
                        Optional.empty(),
                        Instant.now()));

        sample();

        assertThat(state.latest(DerpCheckSnapshot.TOPIC).orElseThrow().result()).isEmpty();
        assertThat(derp.upgrades()).isZero();
    }
}
