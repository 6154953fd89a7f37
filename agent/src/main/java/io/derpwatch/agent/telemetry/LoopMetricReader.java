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
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The continuous-mode metric reader: collects every {@code interval} on the agent's event loop (instruments only
 * read state the sources keep, so collection is short and never blocks) and hands the batch to the exporter on
 * the {@link ExportHandOff}, never on the loop. Replaces the SDK's {@code PeriodicMetricReader} and its two
 * threads. Like it, skips a periodic collection while the previous export is still running. Unlike it, exports
 * nothing on shutdown: the agent collects and exports the latest state itself ({@code SignalPipeline.flush})
 * before it stops the sources, whose instruments are gone by the time the meter provider shuts down.
 *
 * <p>Between ticks, {@link #collectSoon()} asks for one more collection (the headline changed, the first samples
 * are in): it runs {@code coalesce} after the first request, and every request until then shares it, so a burst
 * of changes costs one collection. A tick that runs meanwhile satisfies the request (it read the same state). A
 * requested collection that finds an export still running waits for it rather than being skipped.
 */
final class LoopMetricReader implements MetricReader {
    private static final Logger LOG = LoggerFactory.getLogger(LoopMetricReader.class);

    private final MetricExporter exporter;
    private final ExportHandOff handOff;
    private final AtomicBoolean exporting = new AtomicBoolean();
    /** A {@link #collectSoon()} is pending: set by the first request, cleared by the next collection. */
    private final AtomicBoolean requested = new AtomicBoolean();
    /** A requested collection found an export running: run it when that export is done. */
    private final AtomicBoolean deferred = new AtomicBoolean();

    private volatile CollectionRegistration registration = CollectionRegistration.noop();
    private volatile @Nullable ScheduledFuture<?> schedule;
    private volatile @Nullable ScheduledExecutorService loop;
    private volatile long coalesceNanos;

    LoopMetricReader(MetricExporter exporter, ExportHandOff handOff) {
        this.exporter = exporter;
        this.handOff = handOff;
    }

    /**
     * Starts collecting on {@code loop} every {@code interval}; a {@link #collectSoon()} request runs
     * {@code coalesce} after it was made.
     */
    void start(ScheduledExecutorService loop, Duration interval, Duration coalesce) {
        this.coalesceNanos = coalesce.toNanos();
        this.loop = loop;
        long nanos = interval.toNanos();
        schedule = loop.scheduleAtFixedRate(this::tick, nanos, nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Asks for one collection and export {@code coalesce} from now, from any thread; requests made before it
     * runs share it. Nothing before {@link #start} (one-shot runs export on flush only).
     */
    void collectSoon() {
        ScheduledExecutorService l = loop;
        if (l == null || !requested.compareAndSet(false, true)) {
            return;
        }
        try {
            l.schedule(this::requestedCollection, coalesceNanos, TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) { // the loop is shutting down: the agent's last flush collects anyway
            requested.set(false);
        }
    }

    private void tick() {
        if (!collect()) {
            LOG.warn("skipping a metric collection: the previous export has not finished");
        }
    }

    private void requestedCollection() {
        if (!requested.get() || loop == null) {
            return; // a tick collected meanwhile, or the reader is shut down
        }
        deferred.set(true); // before collect(): an export ending now sees it and runs this again
        if (collect()) {
            deferred.set(false);
        } else {
            LOG.debug("a requested metric collection waits for the running export");
        }
    }

    /** Collects and hands the batch off; false when the previous export is still running. */
    private boolean collect() {
        if (!exporting.compareAndSet(false, true)) {
            return false;
        }
        requested.set(false); // this collection reads the state every request was about
        try {
            Collection<MetricData> batch = registration.collectAllMetrics();
            handOff.submit(() -> exporter.export(batch), this::exported);
        } catch (RuntimeException e) {
            exporting.set(false);
            LOG.warn("metric collection failed: {}", e.toString());
        }
        return true;
    }

    /** On the export thread, when an export is done. */
    private void exported() {
        exporting.set(false);
        ScheduledExecutorService l = loop;
        if (deferred.getAndSet(false) && l != null) {
            try {
                l.execute(this::requestedCollection);
            } catch (RuntimeException e) { // shutting down
                requested.set(false);
            }
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
        loop = null;
        ScheduledFuture<?> s = schedule;
        if (s != null) {
            s.cancel(false);
        }
        return exporter.shutdown();
    }
}
