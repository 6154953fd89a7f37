package io.derpwatch.sinks.delivery;

import io.derpwatch.sinks.Batch;
import io.derpwatch.sinks.PayloadEncoding;
import io.derpwatch.sinks.Signal;
import io.derpwatch.sinks.Sink;
import io.derpwatch.sinks.SinkStats;
import io.opentelemetry.sdk.common.CompletableResultCode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sink behind its delivery wrapper: a bounded {@link SinkQueue} (memory, or a {@link FileBatchQueue}) and one
 * supervised {@link DeliveryWorker} that sends with the {@link RetryPolicy}. {@link #accept} only encodes (for
 * an OTLP sink) and enqueues, then returns, so a slow or dead backend stalls neither the SDK nor other sinks.
 */
public final class DeliveringSink {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveringSink.class);

    private final String name;
    private final Sink sink;
    private final SinkQueue queue;
    private final DeliveryWorker worker;
    private final @Nullable FileBatchQueue file;

    private DeliveringSink(Sink sink, SinkQueue queue, DeliveryWorker worker, @Nullable FileBatchQueue file) {
        this.name = sink.name();
        this.sink = sink;
        this.queue = queue;
        this.worker = worker;
        this.file = file;
    }

    /**
     * Wraps {@code sink} and starts its worker. A persistent queue needs an OTLP-encoding sink; its file is
     * {@code <directory>/<name>.queue}. A damaged queue file is healed, never thrown out of here.
     */
    public static DeliveringSink start(Sink sink, DeliverySettings settings) {
        return start(sink, settings, Clock.systemUTC());
    }

    static DeliveringSink start(Sink sink, DeliverySettings settings, Clock clock) {
        BatchQueue batches;
        FileBatchQueue file = null;
        if (settings.persistent()) {
            if (sink.encoding() == PayloadEncoding.SDK_DATA) {
                throw new IllegalArgumentException("sink " + sink.name() + " cannot use a persistent queue");
            }
            try {
                file = new FileBatchQueue(
                        settings.directory().resolve(sink.name() + ".queue"), settings.persistentMaxBytes(), clock);
            } catch (IOException | RuntimeException e) {
                sink.close();
                throw new IllegalStateException(
                        "cannot open the persistent queue of sink " + sink.name() + " in " + settings.directory() + ": "
                                + e.getMessage(),
                        e);
            }
            batches = file;
            if (file.recovered() > 0) {
                LOG.info(
                        "sink {}: {} batches left by an earlier run in {} will be delivered",
                        sink.name(),
                        file.recovered(),
                        file.file());
            }
        } else {
            batches = new MemoryBatchQueue(settings.maxBytes());
        }
        return start(sink, settings, clock, batches, file);
    }

    /** With a given queue (tests: a queue that fails). */
    static DeliveringSink start(
            Sink sink, DeliverySettings settings, Clock clock, BatchQueue batches, @Nullable FileBatchQueue file) {
        SinkQueue queue = new SinkQueue(sink.name(), batches, settings, clock, file == null ? 0 : file.recovered());
        DeliveryWorker worker = new DeliveryWorker(sink.name(), sink, queue, RetryPolicy.of(settings));
        worker.start();
        return new DeliveringSink(sink, queue, worker, file);
    }

    public String name() {
        return name;
    }

    /** The wrapped sink. */
    public Sink sink() {
        return sink;
    }

    /** Turns one SDK export into a batch and queues it; fails only when the batch was lost at once. */
    public CompletableResultCode accept(Signal signal, Collection<?> data) {
        worker.ensureRunning();
        Batch batch;
        try {
            batch = sink.encoding() == PayloadEncoding.SDK_DATA
                    ? new Batch(signal, sink.keyFor(signal, data), null, List.copyOf(data))
                    : Batch.encoded(
                            signal, sink.keyFor(signal, data), OtlpEncoding.encode(signal, data, sink.encoding()));
        } catch (IOException | RuntimeException | OutOfMemoryError | StackOverflowError e) {
            queue.encodingFailed();
            LOG.error("sink {}: could not encode a {} batch: {}", name, signal, e.toString());
            return CompletableResultCode.ofExceptionalFailure(e);
        }
        return queue.offer(batch) ? CompletableResultCode.ofSuccess() : CompletableResultCode.ofFailure();
    }

    /** The counters and health now. */
    public SinkStats stats() {
        return queue.stats(worker.alive(), worker.restarts());
    }

    /** Completes when every batch accepted so far has been delivered or dropped. */
    public CompletableResultCode flush() {
        worker.ensureRunning();
        return queue.flush();
    }

    /**
     * Stops accepting and lets the worker deliver what is queued; completes when the queue is empty. Call
     * {@link #stop} afterwards (at the latest when the shutdown timeout has passed).
     */
    public CompletableResultCode drain() {
        return queue.drain();
    }

    /** Tells the worker to end (its waits return); {@link #stop} then finishes the job. */
    public void requestStop() {
        queue.stop();
    }

    /**
     * Ends delivery within {@code grace}: the worker is stopped (interrupted if a send hangs), what is left in a
     * persistent queue stays on disk for the next run, what is left in memory is counted as dropped ({@code
     * shutdown}), and the sink's connections close (given up on, on a daemon thread, after the grace).
     */
    public void stop(Duration grace) {
        if (!queue.stop()) {
            return;
        }
        long deadline = System.nanoTime() + grace.toNanos();
        worker.join(grace.dividedBy(2));
        queue.close();
        Thread closer = new Thread(
                () -> {
                    try {
                        sink.close();
                    } catch (Throwable t) { // NOPMD: closing must not fail the shutdown
                        LOG.warn("sink {}: closing failed: {}", name, t.toString());
                    }
                },
                "derpwatch-sink-close-" + name);
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            LOG.warn("sink {}: connections did not close within the shutdown grace; left to the exit", name);
        }
    }

    /** The persistent queue file, if any (tests, diagnostics). */
    public @Nullable Path queueFile() {
        return file == null ? null : file.file();
    }

    @Override
    public String toString() {
        return "DeliveringSink[" + name + "]";
    }
}
