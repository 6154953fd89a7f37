package io.derpwatch.agent.telemetry;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.MemoryMode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The continuous-mode metric reader: collects every {@code interval} on the agent's event loop (instruments only
 * read state the sources keep, so collection is short and never blocks) and hands the batch to the exporter on
 * the {@link ExportHandOff}, never on the loop. Replaces the SDK's {@code PeriodicMetricReader} and its two
 * threads. Like it, skips a collection while the previous export is still running. Unlike it, exports nothing
 * on shutdown: the agent collects and exports the latest state itself ({@code SignalPipeline.flush}) before it
 * stops the sources, whose instruments are gone by the time the meter provider shuts down.
 */
final class LoopMetricReader implements MetricReader {
    private static final Logger LOG = LoggerFactory.getLogger(LoopMetricReader.class);

    private final MetricExporter exporter;
    private final ExportHandOff handOff;
    private final AtomicBoolean exporting = new AtomicBoolean();
    private volatile CollectionRegistration registration = CollectionRegistration.noop();
    private volatile ScheduledFuture<?> schedule;

    LoopMetricReader(MetricExporter exporter, ExportHandOff handOff) {
        this.exporter = exporter;
        this.handOff = handOff;
    }

    /** Starts collecting on {@code loop} every {@code interval}. */
    void start(ScheduledExecutorService loop, Duration interval) {
        long nanos = interval.toNanos();
        schedule = loop.scheduleAtFixedRate(this::collectOnLoop, nanos, nanos, TimeUnit.NANOSECONDS);
    }

    private void collectOnLoop() {
        if (!exporting.compareAndSet(false, true)) {
            LOG.warn("skipping a metric collection: the previous export has not finished");
            return;
        }
        try {
            Collection<MetricData> batch = registration.collectAllMetrics();
            handOff.submit(() -> exporter.export(batch), () -> exporting.set(false));
        } catch (RuntimeException e) {
            exporting.set(false);
            LOG.warn("metric collection failed: {}", e.toString());
        }
    }

    @Override
    public void register(CollectionRegistration registration) {
        this.registration = registration;
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
        return exporter.getAggregationTemporality(instrumentType);
    }

    @Override
    public MemoryMode getMemoryMode() {
        return exporter.getMemoryMode();
    }

    /** Collects now on the calling thread and exports; the result completes when the exporter is done. */
    @Override
    public CompletableResultCode forceFlush() {
        return exporter.export(registration.collectAllMetrics());
    }

    /** Stops the schedule and shuts the exporter down. */
    @Override
    public CompletableResultCode shutdown() {
        ScheduledFuture<?> s = schedule;
        if (s != null) {
            s.cancel(false);
        }
        return exporter.shutdown();
    }
}
