package io.derpwatch.agent.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.derpwatch.agent.home.StatusFixtures;
import io.derpwatch.agent.localapi.LocalApiClient;
import io.derpwatch.agent.source.AgentClock;
import io.derpwatch.agent.source.ComponentState;
import io.derpwatch.agent.source.SourceEnvironment;
import io.derpwatch.agent.source.StreamingSourceRunner;
import io.derpwatch.agent.source.Supervision;
import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.telemetry.EventEmitter;
import io.derpwatch.agent.telemetry.Telemetry;
import io.derpwatch.agent.telemetry.TelemetryNames;
import io.derpwatch.lab.LocalApiEmulator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.opentelemetry.sdk.logs.LogRecordProcessor;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.testing.exporter.InMemoryLogRecordExporter;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The logtap source under the shared streaming runner on a real event loop, against the lab's
 * {@code /localapi/v0/logtap} on a real Unix socket, replaying the real fixture log lines; matches are read back
 * from the state store, errors from the OpenTelemetry SDK.
 */
class LogTapSourceTest {
    private static final int MAX_RECORD = 4096;

    @TempDir
    Path dir;

    private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    private final InMemoryLogRecordExporter logs = InMemoryLogRecordExporter.create();
    private final List<LogMatch> matches = new CopyOnWriteArrayList<>();
    private SdkMeterProvider meterProvider;
    private SdkLoggerProvider loggerProvider;
    private EventLoopGroup group;
    private LocalApiEmulator lab;
    private StreamingSourceRunner<byte[]> runner;

    private static LogsSettings settings() {
        return new LogsSettings(
                "logtap",
                Path.of("/nonexistent"),
                true,
                ZoneOffset.UTC,
                16 * 1024,
                Duration.ofSeconds(1),
                new LogsSettings.Journald("tailscaled", "journalctl", Duration.ofSeconds(1), Duration.ofMinutes(1)),
                new LogsSettings.Logtap(MAX_RECORD, Duration.ofMillis(20), Duration.ofMillis(200)));
    }

    private void start(List<String> replay) {
        start(replay, false);
    }

    private void start(List<String> replay, boolean refused) {
        LogRecordProcessor processor = SimpleLogRecordProcessor.create(logs);
        meterProvider = SdkMeterProvider.builder().registerMetricReader(metrics).build();
        loggerProvider =
                SdkLoggerProvider.builder().addLogRecordProcessor(processor).build();
        Telemetry telemetry = new Telemetry(
                meterProvider.get("io.derpwatch"),
                new EventEmitter(loggerProvider.get("io.derpwatch"), processor::forceFlush));
        group = new MultiThreadIoEventLoopGroup(
                1, Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        lab = LocalApiEmulator.start(dir.resolve("tailscaled.sock"));
        lab.logTap().replay(replay);
        lab.logTap().refuse(refused);
        LocalApiClient client = new LocalApiClient(group, lab.socket(), Duration.ofSeconds(2), 1024 * 1024);
        StateStore state = new StateStore();
        state.subscribe(LogSignatureBatch.TOPIC, (previous, batch) -> matches.addAll(batch.matches()));
        AgentClock clock = new AgentClock() {
            @Override
            public long monotonicNanos() {
                return System.nanoTime();
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
                3,
                bound -> 0);
        LogsSettings settings = settings();
        runner = env.stream(
                new LogTapSource(client, settings, b -> state.publish(LogSignatureBatch.TOPIC, b), Clock.systemUTC()),
                LogTapSource.schedule(settings, Duration.ofSeconds(5)));
        runner.start();
    }

    @AfterEach
    void tearDown() {
        if (runner != null) {
            runner.stop();
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

    private static List<String> fixture(String name) throws Exception {
        return Files.readAllLines(StatusFixtures.tailscaleDir().resolve(name));
    }

    /** What the same table makes of the same lines read from a file: the logtap must give the same. */
    private static List<LogMatch> fromFile(List<String> lines) {
        LogLineParser parser = new LogLineParser(ZoneOffset.UTC, Instant.now());
        return lines.stream()
                .map(l -> LogSignatures.match(parser.parse(l)).orElse(null))
                .filter(Objects::nonNull)
                .toList();
    }

    private long errors(String type) {
        return metrics.collectAllMetrics().stream()
                .filter(m -> m.getName().equals(TelemetryNames.SOURCE_ERRORS))
                .flatMap(m -> m.getLongSumData().getPoints().stream())
                .filter(p -> type.equals(p.getAttributes().get(TelemetryNames.ERROR_TYPE))
                        && TelemetryNames.SOURCE_LOGS.equals(p.getAttributes().get(TelemetryNames.SOURCE_NAME)))
                .mapToLong(LongPointData::getValue)
                .sum();
    }

    private List<LogRecordData> errorEvents(String type) {
        return logs.getFinishedLogRecordItems().stream()
                .filter(r -> TelemetryNames.EVENT_SOURCE_ERROR.equals(r.getEventName()))
                .filter(r -> type.equals(r.getAttributes().get(TelemetryNames.ERROR_TYPE)))
                .toList();
    }

    private void awaitMatches(int n) {
        await().atMost(Duration.ofSeconds(20)).until(() -> matches.size() >= n);
    }

    @Test
    void fixtureRecords_becomeTheSameSignaturesAsTheFileSourceGives_timedByTheirClientTime() throws Exception {
        List<String> lines = fixture("logs-01.txt");
        List<LogMatch> expected = fromFile(lines);
        assertThat(expected).hasSizeGreaterThanOrEqualTo(3);

        start(lines);
        awaitMatches(expected.size());

        assertThat(matches)
                .extracting(LogMatch::signature)
                .containsExactlyElementsOf(
                        expected.stream().map(LogMatch::signature).toList());
        assertThat(matches)
                .extracting(LogMatch::attributes)
                .containsExactlyElementsOf(
                        expected.stream().map(LogMatch::attributes).toList());
        // logtail text has no timestamp prefix: the record's client_time is the line's time
        assertThat(matches)
                .extracting(LogMatch::time)
                .containsExactlyElementsOf(expected.stream().map(LogMatch::time).toList());
        assertThat(matches.get(0).line()).doesNotStartWith("2022/").doesNotEndWith("\n");
        assertThat(runner.health().state()).isEqualTo(ComponentState.CONNECTED);
        assertThat(errors("bad_record")).isZero();
    }

    @Test
    void aRefusedTap_isOneClearSourceError_askedAgainWithBackoff_andRecoversWhenAllowed() throws Exception {
        List<String> lines = fixture("logs-05.txt");
        List<LogMatch> expected = fromFile(lines);
        start(lines, true);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> lab.logTap().requests() >= 3 && errors(LogTapSource.FORBIDDEN) >= 3);

        assertThat(errorEvents(LogTapSource.FORBIDDEN))
                .as("repeats of the same refusal are throttled, not a storm")
                .singleElement()
                .satisfies(e -> assertThat(e.getBody().asString())
                        .contains("403", "root", "--operator", "derpwatch.logs.source"));
        assertThat(matches).isEmpty();

        lab.logTap().refuse(false);
        awaitMatches(expected.size());
        assertThat(matches)
                .extracting(LogMatch::signature)
                .containsExactlyElementsOf(
                        expected.stream().map(LogMatch::signature).toList());
        await().atMost(Duration.ofSeconds(10)).until(() -> runner.health().state() == ComponentState.CONNECTED);
    }

    @Test
    void aMalformedRecord_andAnOversizedOne_areSkippedAndCounted_andTheTapReadsOn() {
        start(List.of());
        await().atMost(Duration.ofSeconds(10)).until(() -> lab.logTap().taps() == 1);

        lab.logTap().sendRaw("{\"text\": <html>oops</html>");
        lab.logTap().sendRaw("{\"text\":\"magicsock: home is now derp-9 (dfw) " + "x".repeat(2 * MAX_RECORD) + "\"}");
        lab.logTap().send("2022/03/28 07:42:19 magicsock: home is now derp-4 (fra)");
        awaitMatches(1);

        assertThat(matches).singleElement().satisfies(m -> {
            assertThat(m.signature()).isEqualTo("derp_home_changed");
            assertThat(m.line()).isEqualTo("magicsock: home is now derp-4 (fra)");
            assertThat(m.time()).isEqualTo(Instant.parse("2022-03-28T07:42:19Z"));
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> errors(LogTapSource.BAD_RECORD) == 2);
        assertThat(lab.logTap().requests()).as("the same tap read on").isEqualTo(1);
    }

    @Test
    void theEndOfTheTap_reconnectsAfterTheBackoff_andReadsOn() {
        start(List.of());
        await().atMost(Duration.ofSeconds(10)).until(() -> lab.logTap().taps() == 1);

        lab.logTap().endAll();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> lab.logTap().requests() >= 2 && lab.logTap().taps() == 1);
        lab.logTap().send("2026/04/16 23:39:37 magicsock: home is now derp-10 (sea)");

        awaitMatches(1);
        assertThat(matches).extracting(LogMatch::signature).containsExactly("derp_home_changed");
    }
}
