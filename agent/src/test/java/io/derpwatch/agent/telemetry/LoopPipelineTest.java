package io.derpwatch.agent.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The loop-timed metric reader and event processor: collect on the loop, export off it, lose nothing uncounted. */
class LoopPipelineTest {
    private final EventLoop loop = new DefaultEventLoop();
    private final ExportHandOff handOff = new ExportHandOff(Duration.ofSeconds(5));

    @AfterEach
    void stop() {
        handOff.close();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void metrics_areCollectedOnTheLoop_andExportedOffIt() {
        RecordingMetricExporter exporter = new RecordingMetricExporter();
        LoopMetricReader reader = new LoopMetricReader(exporter, handOff);
        List<Boolean> collectedOnLoop = new CopyOnWriteArrayList<>();
        SdkMeterProvider provider =
                SdkMeterProvider.builder().registerMetricReader(reader).build();
        provider.get("test").gaugeBuilder("g").ofLongs().buildWithCallback(m -> {
            collectedOnLoop.add(loop.inEventLoop());
            m.record(1);
        });

        reader.start(loop, Duration.ofMillis(50), Duration.ofMillis(50));

        await().atMost(Duration.ofSeconds(5)).until(() -> exporter.batches.size() >= 2);
        assertThat(collectedOnLoop).isNotEmpty().containsOnly(true);
        assertThat(exporter.threads).allSatisfy(t -> assertThat(t).startsWith("derpwatch-export"));
        assertThat(exporter.batches.get(0)).extracting(MetricData::getName).containsExactly("g");
        provider.shutdown().join(5, TimeUnit.SECONDS);
    }

    @Test
    void metricFlush_exportsTheLatestCollection_andShutdownStopsCollecting() {
        RecordingMetricExporter exporter = new RecordingMetricExporter();
        LoopMetricReader reader = new LoopMetricReader(exporter, handOff);
        SdkMeterProvider provider =
                SdkMeterProvider.builder().registerMetricReader(reader).build();
        provider.get("test").gaugeBuilder("g").ofLongs().buildWithCallback(m -> m.record(1));
        reader.start(loop, Duration.ofMillis(20), Duration.ofMillis(20));
        assertThat(provider.forceFlush().join(5, TimeUnit.SECONDS).isSuccess()).isTrue();
        assertThat(exporter.batches).isNotEmpty();

        assertThat(provider.shutdown().join(5, TimeUnit.SECONDS).isSuccess()).isTrue();
        handOff.drain(Duration.ofSeconds(5));
        int exported = exporter.batches.size();

        assertThat(exporter.shutdown).isTrue();
        await().during(Duration.ofMillis(200))
                .atMost(Duration.ofSeconds(10)) // generous: a loaded 2-core machine starves the poller
                .until(() -> exporter.batches.size() == exported);
    }

    @Test
    void requestedCollection_whileAnExportRuns_waitsForThatExport_insteadOfBeingSkipped() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        BlockingMetricExporter exporter = new BlockingMetricExporter(release);
        LoopMetricReader reader = new LoopMetricReader(exporter, handOff);
        SdkMeterProvider provider =
                SdkMeterProvider.builder().registerMetricReader(reader).build();
        provider.get("test").gaugeBuilder("g").ofLongs().buildWithCallback(m -> m.record(1));
        reader.start(loop, Duration.ofHours(1), Duration.ofMillis(10));
        reader.collectSoon();
        await().atMost(Duration.ofSeconds(5)).until(() -> exporter.started.getCount() == 0); // export 1 blocked

        reader.collectSoon();
        // a loop task due after the request has run only once the request has (the loop runs them by deadline)
        loop.schedule(() -> {}, 50, TimeUnit.MILLISECONDS).sync();
        release.countDown();

        await().atMost(Duration.ofSeconds(10)).until(() -> exporter.batches.size() == 2);
        provider.shutdown().join(5, TimeUnit.SECONDS);
    }

    @Test
    void events_areExportedWithinTheFlushInterval_offTheLoop() {
        RecordingLogExporter exporter = new RecordingLogExporter(null);
        SdkLoggerProvider provider = SdkLoggerProvider.builder()
                .addLogRecordProcessor(new LoopLogRecordProcessor(exporter, handOff, loop, Duration.ofMillis(100)))
                .build();
        Logger logger = provider.get("test");

        loop.execute(() -> {
            logger.logRecordBuilder().setBody("a").emit();
            logger.logRecordBuilder().setBody("b").emit();
        });

        await().atMost(Duration.ofSeconds(5)).until(() -> exporter.bodies.size() == 2);
        assertThat(exporter.bodies).containsExactly("a", "b");
        assertThat(exporter.threads).allSatisfy(t -> assertThat(t).startsWith("derpwatch-export"));
        provider.shutdown().join(5, TimeUnit.SECONDS);
    }

    @Test
    void events_beyondTheQueueLimitWhileTheSinkIsBusy_areDroppedAndCounted_theRestDelivered() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        RecordingLogExporter exporter = new RecordingLogExporter(release);
        LoopLogRecordProcessor processor = new LoopLogRecordProcessor(exporter, handOff, loop, Duration.ofMillis(10));
        SdkLoggerProvider provider =
                SdkLoggerProvider.builder().addLogRecordProcessor(processor).build();
        Logger logger = provider.get("test");
        logger.logRecordBuilder().setBody("first").emit();
        await().atMost(Duration.ofSeconds(5)).until(() -> exporter.started.getCount() == 0); // export blocked

        for (int i = 0; i < LoopLogRecordProcessor.MAX_QUEUE + 7; i++) {
            logger.logRecordBuilder().setBody("e" + i).emit();
        }
        assertThat(processor.dropped()).isEqualTo(7);
        release.countDown();

        await().atMost(Duration.ofSeconds(10))
                .until(() -> exporter.bodies.size() == 1 + LoopLogRecordProcessor.MAX_QUEUE);
        assertThat(exporter.bodies.get(1)).isEqualTo("e0");
        assertThat(exporter.maxBatch).isLessThanOrEqualTo(LoopLogRecordProcessor.MAX_BATCH);
        provider.shutdown().join(5, TimeUnit.SECONDS);
    }

    @Test
    void eventShutdown_exportsWhatIsQueued_beforeTheFlushInterval() {
        RecordingLogExporter exporter = new RecordingLogExporter(null);
        SdkLoggerProvider provider = SdkLoggerProvider.builder()
                .addLogRecordProcessor(new LoopLogRecordProcessor(exporter, handOff, loop, Duration.ofHours(1)))
                .build();
        provider.get("test").logRecordBuilder().setBody("last words").emit();

        assertThat(provider.shutdown().join(5, TimeUnit.SECONDS).isSuccess()).isTrue();

        assertThat(exporter.bodies).containsExactly("last words");
    }

    private static final class RecordingMetricExporter implements MetricExporter {
        final List<Collection<MetricData>> batches = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();
        volatile boolean shutdown;

        @Override
        public CompletableResultCode export(Collection<MetricData> metrics) {
            threads.add(Thread.currentThread().getName());
            batches.add(metrics);
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            shutdown = true;
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
            return AggregationTemporality.CUMULATIVE;
        }
    }

    /** Records batches; the first export waits for {@code release}. */
    private static final class BlockingMetricExporter implements MetricExporter {
        final List<Collection<MetricData>> batches = new CopyOnWriteArrayList<>();
        final CountDownLatch started = new CountDownLatch(1);
        private final CountDownLatch release;

        BlockingMetricExporter(CountDownLatch release) {
            this.release = release;
        }

        @Override
        public CompletableResultCode export(Collection<MetricData> metrics) {
            started.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            batches.add(metrics);
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

        @Override
        public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
            return AggregationTemporality.CUMULATIVE;
        }
    }

    private static final class RecordingLogExporter implements LogRecordExporter {
        final List<String> bodies = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();
        final CountDownLatch started = new CountDownLatch(1);
        private final CountDownLatch release;
        volatile int maxBatch;

        RecordingLogExporter(CountDownLatch release) {
            this.release = release;
        }

        @Override
        public CompletableResultCode export(Collection<LogRecordData> logs) {
            started.countDown();
            if (release != null) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            threads.add(Thread.currentThread().getName());
            maxBatch = Math.max(maxBatch, logs.size());
            logs.forEach(l -> bodies.add(l.getBodyValue().asString()));
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
    }
}
