package io.derpwatch.agent.source;

import static io.derpwatch.agent.telemetry.TelemetryNames.COMPONENT_NAME;
import static io.derpwatch.agent.telemetry.TelemetryNames.COMPONENT_RESTARTS;
import static io.derpwatch.agent.telemetry.TelemetryNames.COMPONENT_STATE;
import static io.derpwatch.agent.telemetry.TelemetryNames.ERRORS_SUPPRESSED;
import static io.derpwatch.agent.telemetry.TelemetryNames.ERROR_TYPE;
import static io.derpwatch.agent.telemetry.TelemetryNames.EVENT_SOURCE_ERROR;
import static io.derpwatch.agent.telemetry.TelemetryNames.SOURCE_ERRORS;
import static io.derpwatch.agent.telemetry.TelemetryNames.SOURCE_NAME;
import static io.derpwatch.agent.telemetry.TelemetryNames.SOURCE_SAMPLES;
import static io.derpwatch.agent.telemetry.TelemetryNames.STATE;
import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.agent.telemetry.EventEmitter;
import io.derpwatch.agent.telemetry.Telemetry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryLogRecordExporter;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The source model on virtual time: a tiny test-only polled source (one class) registered with one line,
 * run by {@link PolledSourceRunner} on an {@link EmbeddedChannel}'s event loop whose clock the test moves. No
 * sleeps: every step advances the mock ticker and runs what became due.
 */
class PolledSourceRunnerTest {
    private static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final Duration TIMEOUT = Duration.ofSeconds(4);

    /** The whole of a new polled source: a name and "take one sample". The test answers each sample. */
    static final class TinySource implements PolledSource<String> {
        final List<CompletableFuture<String>> samples = new ArrayList<>();
        Throwable throwOnSample;
        Throwable failWith;

        @Override
        public String name() {
            return "tiny";
        }

        @Override
        public CompletableFuture<String> sample(SampleContext context) {
            if (throwOnSample != null) {
                Throwable t = throwOnSample;
                throwOnSample = null;
                if (t instanceof Error e) {
                    throw e;
                }
                throw (RuntimeException) t;
            }
            CompletableFuture<String> f = new CompletableFuture<>();
            samples.add(f);
            if (failWith != null) {
                f.completeExceptionally(failWith);
            }
            return f;
        }

        CompletableFuture<String> last() {
            return samples.get(samples.size() - 1);
        }
    }

    private final MockTicker ticker = Ticker.newMockTicker();
    private final EmbeddedChannel channel =
            EmbeddedChannel.builder().ticker(ticker).build();
    private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    private final InMemoryLogRecordExporter logs = InMemoryLogRecordExporter.create();
    private final SdkMeterProvider meterProvider =
            SdkMeterProvider.builder().registerMetricReader(metrics).build();
    private final SdkLoggerProvider loggerProvider = SdkLoggerProvider.builder()
            .addLogRecordProcessor(SimpleLogRecordProcessor.create(logs))
            .build();
    private final Telemetry telemetry =
            new Telemetry(meterProvider.get("test"), new EventEmitter(loggerProvider.get("test")));
    private final SourceEnvironment env = new SourceEnvironment(
            channel.eventLoop(),
            telemetry,
            AgentClock.of(ticker, Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC)),
            new Supervision(telemetry.meter()),
            Duration.ofMinutes(5),
            3,
            bound -> bound / 2);
    private final TinySource tiny = new TinySource();
    private final List<String> published = new ArrayList<>();
    // the one wiring line
    private final PolledSourceRunner<String> runner =
            env.poll(tiny, new PollSchedule(INTERVAL, Duration.ZERO, TIMEOUT), published::add);

    @AfterEach
    void close() {
        runner.stop();
        channel.finishAndReleaseAll();
        meterProvider.close();
        loggerProvider.close();
    }

    @Test
    void started_samplesAtOnce_thenEveryInterval_andPublishesEachObservation() {
        runner.start();
        run();
        assertThat(tiny.samples).hasSize(1);
        tiny.last().complete("a");
        run();

        advance(INTERVAL.minusMillis(1));
        assertThat(tiny.samples).hasSize(1);
        advance(Duration.ofMillis(1));
        assertThat(tiny.samples).hasSize(2);
        tiny.last().complete("b");
        run();

        assertThat(published).containsExactly("a", "b");
        assertThat(counter(SOURCE_SAMPLES, Attributes.of(SOURCE_NAME, "tiny"))).isEqualTo(2);
        assertThat(runner.health().state()).isEqualTo(ComponentState.RUNNING);
    }

    @Test
    void jitter_isAddedToEachWait() {
        PollSchedule jittered = new PollSchedule(INTERVAL, Duration.ofSeconds(2), TIMEOUT);
        TinySource other = new TinySource();
        PolledSourceRunner<String> r = env.poll(other, jittered, s -> {});
        r.start();
        run();
        other.last().complete("x");

        advance(INTERVAL); // the test's jitter is half the bound: 1 s more
        assertThat(other.samples).hasSize(1);
        advance(Duration.ofSeconds(1));
        assertThat(other.samples).hasSize(2);
        r.stop();
    }

    @Test
    void tickWhileASampleRuns_isSkipped_notStacked_andSampleOnceJoinsIt() {
        TinySource slow = new TinySource();
        List<String> out = new ArrayList<>();
        PolledSourceRunner<String> r =
                env.poll(slow, new PollSchedule(INTERVAL, Duration.ZERO, Duration.ofSeconds(25)), out::add);
        r.start();
        run();
        advance(INTERVAL); // the first sample still running
        CompletableFuture<Void> once = r.sampleOnce();
        run();

        assertThat(slow.samples).hasSize(1);
        assertThat(once).isNotDone();
        slow.last().complete("slow");
        run();
        assertThat(once).isDone();
        assertThat(out).containsExactly("slow");
        advance(INTERVAL);
        assertThat(slow.samples).hasSize(2);
        r.stop();
    }

    @Test
    void sampleRunningPastItsTimeout_isAbandoned_counted_andTheNextTickSamplesAgain() {
        runner.start();
        run();
        CompletableFuture<String> hung = tiny.last();

        advance(TIMEOUT);
        assertThat(counter(SOURCE_ERRORS, errors("sample_timeout"))).isEqualTo(1);
        assertThat(counter(
                        COMPONENT_RESTARTS,
                        Attributes.of(
                                io.derpwatch.agent.telemetry.TelemetryNames.COMPONENT_KIND,
                                "source",
                                COMPONENT_NAME,
                                "tiny")))
                .isEqualTo(1);

        advance(INTERVAL.minus(TIMEOUT));
        assertThat(tiny.samples).hasSize(2);
        hung.complete("too late");
        tiny.last().complete("fresh");
        run();
        assertThat(published).containsExactly("fresh");
    }

    @Test
    void sameErrorRepeated_isOneEvent_untilTheRepeatInterval_thenOneWithTheHeldBackCount() {
        tiny.failWith = new SourceException(SourceError.of("timeout", "no answer"));
        runner.start();
        run();
        for (int i = 0; i < 30; i++) {
            advance(INTERVAL); // samples at 10 s ... 300 s, all failing the same way
        }

        assertThat(events())
                .extracting(e -> e.getAttributes().get(ERRORS_SUPPRESSED))
                .containsExactly(0L, 29L);
        assertThat(counter(SOURCE_ERRORS, errors("timeout"))).isEqualTo(31);
        assertThat(runner.health().state()).isEqualTo(ComponentState.RUNNING); // failing, but completing
    }

    @Test
    void outOfMemoryInASample_isCounted_andTheSourceGoesOnWithTheNextInterval() {
        tiny.throwOnSample = new OutOfMemoryError("Java heap space (test)");
        runner.start();
        run();
        assertThat(counter(SOURCE_ERRORS, errors("vm_error"))).isEqualTo(1);

        advance(INTERVAL);
        assertThat(tiny.samples).hasSize(1);
        tiny.last().completeExceptionally(new OutOfMemoryError("in a stage (test)"));
        run();
        assertThat(counter(SOURCE_ERRORS, errors("vm_error"))).isEqualTo(2);

        advance(INTERVAL);
        tiny.last().complete("recovered");
        run();
        assertThat(published).containsExactly("recovered");
    }

    @Test
    void sourceThatNeverCompletes_isStalledAfterItsBound_andTheStateGaugeSaysSo() {
        tiny.throwOnSample = new IllegalStateException("broken");
        runner.start();
        run();
        assertThat(runner.health().state()).isEqualTo(ComponentState.STARTING);

        for (int i = 0; i < 4; i++) {
            advance(INTERVAL); // each sample hangs and is abandoned
            advance(TIMEOUT);
        }

        assertThat(runner.health().state()).isEqualTo(ComponentState.STALLED);
        assertThat(runner.health().detail()).contains("no completed sample");
        assertThat(gauge(COMPONENT_STATE))
                .anySatisfy(p -> assertThat(p.getAttributes().get(STATE)).isEqualTo("stalled"));
    }

    private void run() {
        channel.runPendingTasks();
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
    }

    private void advance(Duration d) {
        ticker.advance(d.toNanos(), TimeUnit.NANOSECONDS);
        run();
    }

    private static Attributes errors(String type) {
        return Attributes.of(SOURCE_NAME, "tiny", ERROR_TYPE, type);
    }

    private List<LogRecordData> events() {
        return logs.getFinishedLogRecordItems().stream()
                .filter(l -> EVENT_SOURCE_ERROR.equals(l.getEventName()))
                .toList();
    }

    private List<LongPointData> gauge(String name) {
        return metrics.collectAllMetrics().stream()
                .filter(m -> m.getName().equals(name))
                .flatMap(m -> m.getLongGaugeData().getPoints().stream())
                .toList();
    }

    private long counter(String name, Attributes attributes) {
        return metrics.collectAllMetrics().stream()
                .filter(m -> m.getName().equals(name))
                .map(MetricData::getLongSumData)
                .flatMap(d -> d.getPoints().stream())
                .filter(p -> p.getAttributes().equals(attributes))
                .mapToLong(LongPointData::getValue)
                .sum();
    }
}
