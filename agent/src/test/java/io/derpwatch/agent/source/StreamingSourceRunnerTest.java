package io.derpwatch.agent.source;

import static io.derpwatch.agent.telemetry.TelemetryNames.COMPONENT_NAME;
import static io.derpwatch.agent.telemetry.TelemetryNames.COMPONENT_RESTARTS;
import static io.derpwatch.agent.telemetry.TelemetryNames.COMPONENT_STATE;
import static io.derpwatch.agent.telemetry.TelemetryNames.ERRORS_SUPPRESSED;
import static io.derpwatch.agent.telemetry.TelemetryNames.ERROR_TYPE;
import static io.derpwatch.agent.telemetry.TelemetryNames.EVENT_SOURCE_ERROR;
import static io.derpwatch.agent.telemetry.TelemetryNames.SOURCE_CONNECTS;
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
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The streaming source model on virtual time: a tiny test-only streaming source (one class) registered with one
 * line, run by {@link StreamingSourceRunner} on an {@link EmbeddedChannel}'s event loop whose clock the test
 * moves. Each connection is a pair of futures and a record callback the test drives, the way
 * {@code LocalApiClient.stream} drives a real one. No sleeps.
 */
class StreamingSourceRunnerTest {
    private static final Duration BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(8);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final ReconnectSchedule SCHEDULE = new ReconnectSchedule(BACKOFF, MAX_BACKOFF, CONNECT_TIMEOUT);

    /** One connection as the test drives it: open it, push records, end or fail it. */
    static final class TestConnection implements StreamConnection {
        final CompletableFuture<String> opened = new CompletableFuture<>();
        final CompletableFuture<Void> ended = new CompletableFuture<>();
        final Consumer<String> records;
        boolean closed;

        TestConnection(Consumer<String> records) {
            this.records = records;
        }

        @Override
        public CompletableFuture<String> opened() {
            return opened;
        }

        @Override
        public CompletableFuture<Void> ended() {
            return ended;
        }

        @Override
        public void close() {
            closed = true;
            ended.complete(null);
        }

        @Override
        public SourceError describe(Throwable failure) {
            return failure instanceof IOException ? SourceError.of("socket_missing", failure.getMessage()) : null;
        }
    }

    /**
     * The whole of a new streaming source: a name, "connect", and "handle one record". A record {@code bad} is
     * one the source rejects, {@code boom} throws, {@code oom} runs out of memory; the rest are handled.
     */
    static final class TinyStream implements StreamingSource<String> {
        final List<TestConnection> connections = new ArrayList<>();
        final List<String> handled = new ArrayList<>();
        boolean throwOnConnect;
        boolean closed;

        @Override
        public String name() {
            return "tiny_stream";
        }

        @Override
        public StreamConnection connect(StreamContext context, Consumer<String> records) {
            TestConnection c = new TestConnection(records);
            connections.add(c);
            if (throwOnConnect) {
                throw new IllegalStateException("cannot even start");
            }
            return c;
        }

        @Override
        public void handle(String record, StreamContext context) throws SourceException {
            switch (record) {
                case "bad" -> throw new SourceException(SourceError.of("malformed_json", "not a notify"));
                case "boom" -> throw new IllegalStateException("handler bug");
                case "oom" -> throw new OutOfMemoryError("Java heap space");
                default -> handled.add(record);
            }
        }

        @Override
        public void close() {
            closed = true;
        }

        TestConnection last() {
            return connections.get(connections.size() - 1);
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
    private final TinyStream tiny = new TinyStream();
    // jitter at its maximum: each wait is the whole base wait, so the test reads the doubling directly
    private final SourceEnvironment env = environment(bound -> bound);
    // the one wiring line
    private final StreamingSourceRunner<String> runner = env.stream(tiny, SCHEDULE);

    @AfterEach
    void close() {
        runner.stop();
        channel.finishAndReleaseAll();
        meterProvider.close();
        loggerProvider.close();
    }

    @Test
    void started_connectsAtOnce_handlesEachRecord_andCountsRecordsAsSamples() {
        runner.start();
        run();
        assertThat(tiny.connections).hasSize(1);
        assertThat(runner.health().state()).isEqualTo(ComponentState.CONNECTING);

        tiny.last().opened.complete("1.80.0");
        run();
        assertThat(runner.health().state()).isEqualTo(ComponentState.CONNECTED);
        push("a");
        push("b");

        assertThat(tiny.handled).containsExactly("a", "b");
        assertThat(counter(SOURCE_SAMPLES, Attributes.of(SOURCE_NAME, "tiny_stream")))
                .isEqualTo(2);
        assertThat(counter(SOURCE_CONNECTS, Attributes.of(SOURCE_NAME, "tiny_stream")))
                .isEqualTo(1);
        assertThat(stateGauge()).containsExactly("connected");
        assertThat(runner.health().healthy()).isTrue();
    }

    @Test
    void endOfStream_reconnectsAfterABackoffThatDoubles_upToTheMaximum() {
        runner.start();
        run();
        long[] expectedWaits = {1, 2, 4, 8, 8};
        for (int i = 0; i < expectedWaits.length; i++) {
            tiny.last().ended.complete(null); // the daemon ended the stream before it opened
            run();
            assertThat(runner.health().state()).isEqualTo(ComponentState.BACKING_OFF);

            advance(Duration.ofSeconds(expectedWaits[i]).minusMillis(1));
            assertThat(tiny.connections).as("no reconnect before wait %d", i).hasSize(i + 1);
            advance(Duration.ofMillis(1));
            assertThat(tiny.connections).as("reconnect after wait %d", i).hasSize(i + 2);
            assertThat(runner.health().state()).isEqualTo(ComponentState.CONNECTING);
        }
        assertThat(counter(SOURCE_CONNECTS, Attributes.of(SOURCE_NAME, "tiny_stream")))
                .isEqualTo(6);
        assertThat(counter(SOURCE_ERRORS, errors("internal"))).isZero(); // a clean end is not an error
    }

    @Test
    void jitter_waitsBetweenHalfAndAllOfTheBaseWait() {
        TinyStream other = new TinyStream();
        StreamingSourceRunner<String> r = environment(bound -> 0).stream(other, SCHEDULE);
        r.start();
        run();
        other.last().ended.complete(null);
        run();

        advance(BACKOFF.dividedBy(2).minusMillis(1));
        assertThat(other.connections).hasSize(1);
        advance(Duration.ofMillis(1)); // no jitter drawn: half the base wait
        assertThat(other.connections).hasSize(2);
        r.stop();
        run();
    }

    @Test
    void connectionThatStayedOpenAsLongAsTheMaximumBackoff_resetsTheBackoff() {
        runner.start();
        run();
        for (int i = 0; i < 3; i++) { // three quick failures: the next wait would be 8 s
            tiny.last().ended.complete(null);
            run();
            advance(MAX_BACKOFF);
        }
        tiny.last().opened.complete("1.80.0");
        run();
        advance(MAX_BACKOFF); // a stable connection
        int before = tiny.connections.size();
        tiny.last().ended.complete(null);
        run();

        advance(BACKOFF);
        assertThat(tiny.connections).hasSize(before + 1);
    }

    @Test
    void recordHandlerThatRejects_throws_orRunsOutOfMemory_doesNotKillTheStream() {
        runner.start();
        run();
        tiny.last().opened.complete("1.80.0");
        run();

        push("bad");
        push("boom");
        push("oom");
        push("c");

        assertThat(tiny.handled).containsExactly("c");
        assertThat(tiny.connections).hasSize(1);
        assertThat(tiny.last().closed).isFalse();
        assertThat(runner.health().state()).isEqualTo(ComponentState.CONNECTED);
        assertThat(counter(SOURCE_SAMPLES, Attributes.of(SOURCE_NAME, "tiny_stream")))
                .isEqualTo(4);
        assertThat(counter(SOURCE_ERRORS, errors("malformed_json"))).isEqualTo(1);
        assertThat(counter(SOURCE_ERRORS, errors("internal"))).isEqualTo(1);
        assertThat(counter(SOURCE_ERRORS, errors("vm_error"))).isEqualTo(1);
        assertThat(counter(COMPONENT_RESTARTS, Attributes.empty())).isEqualTo(2);
        assertThat(events()).hasSize(3);
    }

    @Test
    void sameConnectFailureRepeated_isOneEvent_untilTheRepeatInterval_andAnOpenConnectionEndsTheRun() {
        runner.start();
        run();
        for (int i = 0; i < 6; i++) { // tailscaled is down: every attempt fails the same way
            tiny.last().ended.completeExceptionally(new IOException("no socket at /run/tailscale/tailscaled.sock"));
            run();
            advance(MAX_BACKOFF);
        }
        assertThat(counter(SOURCE_ERRORS, errors("socket_missing"))).isEqualTo(6);
        assertThat(events()).hasSize(1);

        int failures = 6;
        while (events().size() < 2 && failures < 100) { // still down: fail every 8 s until the repeat interval
            tiny.last().ended.completeExceptionally(new IOException("no socket"));
            run();
            failures++;
            advance(MAX_BACKOFF);
        }
        assertThat(ticker.nanoTime())
                .isGreaterThanOrEqualTo(Duration.ofMinutes(5).toNanos());
        assertThat(events()).hasSize(2);
        assertThat(events().get(1).getAttributes().get(ERRORS_SUPPRESSED)).isEqualTo(failures - 2L);

        tiny.last().opened.complete("1.80.0"); // tailscaled is back: the run ends
        run();
        tiny.last().ended.completeExceptionally(new IOException("no socket"));
        run();
        assertThat(events()).hasSize(3);
        assertThat(events().get(2).getAttributes().get(ERRORS_SUPPRESSED)).isZero();
    }

    @Test
    void failureTheSourceCannotName_isCountedAsInternal_andRetried() {
        runner.start();
        run();
        tiny.last().opened.completeExceptionally(new IllegalArgumentException("transport bug"));
        run();

        assertThat(counter(SOURCE_ERRORS, errors("internal"))).isEqualTo(1);
        assertThat(counter(COMPONENT_RESTARTS, Attributes.of(COMPONENT_NAME, "tiny_stream")))
                .isEqualTo(1);
        advance(BACKOFF);
        assertThat(tiny.connections).hasSize(2);
    }

    @Test
    void connectThatThrows_isCounted_andRetriedAfterTheBackoff() {
        TinyStream throwing = new TinyStream();
        throwing.throwOnConnect = true;
        StreamingSourceRunner<String> r = env.stream(throwing, SCHEDULE);
        r.start();
        run();
        assertThat(r.health().state()).isEqualTo(ComponentState.BACKING_OFF);
        advance(BACKOFF);
        assertThat(throwing.connections).hasSize(2);
        r.stop();
        run();
    }

    @Test
    void connectionNotOpenAfterTheConnectTimeout_isClosed_counted_andRetried() {
        runner.start();
        run();
        TestConnection hung = tiny.last();

        advance(CONNECT_TIMEOUT);
        assertThat(hung.closed).isTrue();
        assertThat(counter(SOURCE_ERRORS, errors("connect_timeout"))).isEqualTo(1);
        assertThat(counter(COMPONENT_RESTARTS, Attributes.of(COMPONENT_NAME, "tiny_stream")))
                .isEqualTo(1);
        assertThat(runner.health().state()).isEqualTo(ComponentState.BACKING_OFF);

        hung.records.accept("late"); // a record of the connection given up is dropped
        run();
        assertThat(tiny.handled).isEmpty();
        advance(BACKOFF);
        assertThat(tiny.connections).hasSize(2);
    }

    @Test
    void loopStuckPastTheReconnectDeadline_isStalled() {
        runner.start();
        run();
        tiny.last().ended.complete(null);
        run();

        ticker.advance(BACKOFF.plus(CONNECT_TIMEOUT).plusMillis(1).toNanos(), TimeUnit.NANOSECONDS); // nothing runs
        ComponentHealth h = runner.health();
        assertThat(h.state()).isEqualTo(ComponentState.STALLED);
        assertThat(h.detail()).contains("backing_off").contains("past its deadline");
        run(); // the loop runs again: the reconnect happens
        assertThat(runner.health().state()).isEqualTo(ComponentState.CONNECTING);
    }

    @Test
    void sampleOnce_connects_andCompletesWithTheFirstRecord_orWhenTheAttemptEnds_orAfterTheConnectTimeout() {
        CompletableFuture<Void> first = runner.sampleOnce();
        run();
        assertThat(tiny.connections).hasSize(1);
        assertThat(first).isNotDone();
        tiny.last().opened.complete("1.80.0");
        push("a");
        assertThat(first).isCompleted();
        assertThat(runner.sampleOnce()).isCompleted(); // the open connection already delivered

        tiny.last().ended.complete(null);
        run();
        CompletableFuture<Void> again = runner.sampleOnce();
        run();
        assertThat(tiny.connections).hasSize(2);
        tiny.last().ended.completeExceptionally(new IOException("refused"));
        run();
        assertThat(again).isCompleted();

        CompletableFuture<Void> silent = runner.sampleOnce();
        run();
        tiny.last().opened.complete("1.80.0");
        run();
        advance(CONNECT_TIMEOUT);
        assertThat(silent).isCompleted();
        assertThat(runner.health().state()).isEqualTo(ComponentState.CONNECTED);
    }

    @Test
    void stop_closesTheConnection_cancelsTheReconnect_closesTheSource_andDropsLateRecords() {
        runner.start();
        run();
        TestConnection first = tiny.last();
        first.opened.complete("1.80.0");
        run();

        runner.stop();
        run();
        assertThat(first.closed).isTrue();
        assertThat(tiny.closed).isTrue();
        first.records.accept("late");
        run();
        advance(MAX_BACKOFF.multipliedBy(2));
        assertThat(tiny.handled).isEmpty();
        assertThat(tiny.connections).hasSize(1);
        assertThat(runner.health().state()).isEqualTo(ComponentState.STOPPED);
    }

    private SourceEnvironment environment(LongUnaryOperator jitter) {
        return new SourceEnvironment(
                channel.eventLoop(),
                telemetry,
                AgentClock.of(ticker, Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC)),
                new Supervision(telemetry.meter()),
                Duration.ofMinutes(5),
                3,
                jitter);
    }

    private void push(String record) {
        tiny.last().records.accept(record);
        run();
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
        return Attributes.of(SOURCE_NAME, "tiny_stream", ERROR_TYPE, type);
    }

    private List<LogRecordData> events() {
        return logs.getFinishedLogRecordItems().stream()
                .filter(l -> EVENT_SOURCE_ERROR.equals(l.getEventName()))
                .toList();
    }

    private List<String> stateGauge() {
        return metrics.collectAllMetrics().stream()
                .filter(m -> m.getName().equals(COMPONENT_STATE))
                .flatMap(m -> m.getLongGaugeData().getPoints().stream())
                .filter(p -> "tiny_stream".equals(p.getAttributes().get(COMPONENT_NAME)))
                .map(p -> p.getAttributes().get(STATE))
                .toList();
    }

    private long counter(String name, Attributes attributes) {
        return metrics.collectAllMetrics().stream()
                .filter(m -> m.getName().equals(name))
                .map(MetricData::getLongSumData)
                .flatMap(d -> d.getPoints().stream())
                .filter(p -> p.getAttributes()
                        .asMap()
                        .entrySet()
                        .containsAll(attributes.asMap().entrySet()))
                .mapToLong(LongPointData::getValue)
                .sum();
    }
}
