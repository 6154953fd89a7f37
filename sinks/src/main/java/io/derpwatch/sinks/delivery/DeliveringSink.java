package io.derpwatch.sinks.delivery;

import io.derpwatch.sinks.Batch;
import io.derpwatch.sinks.DeliveryException;
import io.derpwatch.sinks.DropReason;
import io.derpwatch.sinks.PayloadSink;
import io.derpwatch.sinks.Signal;
import io.derpwatch.sinks.Sink;
import io.derpwatch.sinks.SinkStats;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.MemoryMode;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a bounded queue and one worker thread in front of a sink. The SDK's export calls only encode (for a
 * {@link PayloadSink}) and enqueue, then return; the worker ({@code derpwatch-sink-<name>}) delivers the oldest
 * batch, retries retryable failures with exponential backoff and jitter, and drops (and counts) what it must.
 *
 * <p>Counting (unit: one batch = one SDK export call): {@code accepted + recovered == exported + dropped + queued}
 * holds whenever the lock is free. The batch being sent stays at the head of the queue (on disk, for a persistent
 * queue) until the backend acknowledged it, so it is never dropped while in flight: if the queue overflows then,
 * the oldest batch goes as soon as the attempt ends.
 */
public final class DeliveringSink implements Sink {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveringSink.class);
    private static final Duration PLAIN_EXPORT_TIMEOUT = Duration.ofSeconds(30);

    private enum State {
        RUNNING,
        DRAINING,
        STOPPED
    }

    private final String name;
    private final Sink inner;
    private final PayloadSink payloadSink;
    private final DeliverySettings settings;
    private final BatchQueue queue;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<CompletableResultCode> flushWaiters = new ArrayList<>();
    private final CompletableResultCode drained = new CompletableResultCode();
    private final Thread worker;
    private final MetricExporter metricExporter = new QueueingMetricExporter();
    private final LogRecordExporter logExporter = new QueueingLogExporter();

    // all guarded by lock
    private State state = State.RUNNING;
    private boolean inFlight;
    private long headGeneration;
    private long accepted;
    private long exported;
    private long failed;
    private long retries;
    private final EnumMap<DropReason, Long> dropped = new EnumMap<>(DropReason.class);
    private long corruptAtRuntime;
    private boolean failing;
    private String lastError;
    private boolean queueClosed;
    private boolean warnedFull;

    private DeliveringSink(Sink inner, DeliverySettings settings, BatchQueue queue) {
        this.name = inner.name();
        this.inner = inner;
        this.payloadSink = inner instanceof PayloadSink p ? p : null;
        this.settings = settings;
        this.queue = queue;
        this.worker = new Thread(this::runWorker, "derpwatch-sink-" + name);
        this.worker.setDaemon(true);
    }

    /**
     * Wraps {@code inner} and starts its worker. A persistent queue needs a {@link PayloadSink}; its file is
     * {@code <directory>/<name>.queue}.
     */
    public static DeliveringSink start(Sink inner, DeliverySettings settings) {
        BatchQueue queue;
        if (settings.persistent()) {
            if (!(inner instanceof PayloadSink)) {
                throw new IllegalArgumentException("sink " + inner.name() + " cannot use a persistent queue");
            }
            try {
                queue = new FileBatchQueue(
                        settings.directory().resolve(inner.name() + ".queue"), settings.persistentMaxBytes());
            } catch (IOException e) {
                ((PayloadSink) inner).close();
                throw new IllegalStateException(
                        "cannot open the persistent queue of sink " + inner.name() + " in " + settings.directory()
                                + ": " + e.getMessage(),
                        e);
            }
        } else {
            queue = new MemoryBatchQueue(settings.maxBytes());
        }
        DeliveringSink sink = new DeliveringSink(inner, settings, queue);
        if (queue instanceof FileBatchQueue f && f.recovered() > 0) {
            LOG.info(
                    "sink {}: {} batches left by an earlier run in {} will be delivered",
                    sink.name,
                    f.recovered(),
                    f.file());
        }
        sink.worker.start();
        return sink;
    }

    @Override
    public String name() {
        return name;
    }

    /** The wrapped sink. */
    public Sink inner() {
        return inner;
    }

    @Override
    public MetricExporter metricExporter() {
        return metricExporter;
    }

    @Override
    public LogRecordExporter logExporter() {
        return logExporter;
    }

    /** The counters now. */
    public SinkStats stats() {
        lock.lock();
        try {
            int recovered = queue instanceof FileBatchQueue f ? f.recovered() : 0;
            long corrupt = corruptAtRuntime + (queue instanceof FileBatchQueue f ? f.corruptFiles() : 0);
            return new SinkStats(
                    name,
                    accepted,
                    recovered,
                    exported,
                    failed,
                    new EnumMap<>(dropped),
                    queue.size(),
                    queue.bytes(),
                    retries,
                    corrupt,
                    lastError);
        } finally {
            lock.unlock();
        }
    }

    /** Completes when every batch accepted so far has been delivered or dropped. */
    @Override
    public CompletableResultCode flush() {
        lock.lock();
        try {
            if (queue.size() == 0) {
                return CompletableResultCode.ofSuccess();
            }
            if (state == State.STOPPED) {
                return CompletableResultCode.ofFailure();
            }
            CompletableResultCode code = new CompletableResultCode();
            flushWaiters.add(code);
            return code;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops accepting and lets the worker deliver what is queued; completes when the queue is empty. Call
     * {@link #stop()} afterwards (at the latest when the shutdown timeout has passed).
     */
    @Override
    public CompletableResultCode shutdown() {
        lock.lock();
        try {
            if (state == State.RUNNING) {
                state = State.DRAINING;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        return drained;
    }

    /**
     * Ends delivery now: the worker is stopped, what is left in a persistent queue stays on disk for the next
     * run, what is left in memory is counted as dropped ({@code shutdown}), and the sink's connections close.
     */
    public void stop() {
        lock.lock();
        try {
            if (queueClosed) {
                return;
            }
            state = State.STOPPED;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            worker.join(2000);
            if (worker.isAlive()) {
                worker.interrupt();
                worker.join(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lock.lock();
        try {
            if (queue instanceof MemoryBatchQueue && queue.size() > 0) {
                int lost = queue.discardAll();
                drop(DropReason.SHUTDOWN, lost);
                LOG.warn("sink {}: {} batches not delivered before shutdown were dropped", name, lost);
            } else if (queue.size() > 0) {
                LOG.info("sink {}: {} batches stay in the persistent queue for the next run", name, queue.size());
            }
            queue.close();
            queueClosed = true;
            flushWaiters.forEach(CompletableResultCode::fail);
            flushWaiters.clear();
        } finally {
            lock.unlock();
        }
        if (payloadSink != null) {
            payloadSink.close();
        } else {
            inner.shutdown().join(5, TimeUnit.SECONDS);
        }
        if (!drained.isDone()) {
            drained.fail();
        }
    }

    /** The persistent queue file, if any (tests, diagnostics). */
    public Path queueFile() {
        return queue instanceof FileBatchQueue f ? f.file() : null;
    }

    private CompletableResultCode accept(Signal signal, Collection<?> data) {
        Batch batch;
        try {
            batch = payloadSink == null
                    ? new Batch(signal, null, null, List.copyOf(data))
                    : Batch.encoded(
                            signal,
                            payloadSink.keyFor(signal, data),
                            OtlpEncoding.encode(signal, data, payloadSink.encoding()));
        } catch (IOException | RuntimeException e) {
            lock.lock();
            try {
                accepted++;
                drop(DropReason.ENCODING_FAILED, 1);
            } finally {
                lock.unlock();
            }
            LOG.error("sink {}: could not encode a {} batch: {}", name, signal, e.toString());
            return CompletableResultCode.ofExceptionalFailure(e);
        }
        lock.lock();
        try {
            accepted++;
            if (state == State.STOPPED) {
                drop(DropReason.SHUTDOWN, 1);
                LOG.warn("sink {}: a {} batch arrived after the sink stopped and was dropped", name, signal);
                return CompletableResultCode.ofFailure();
            }
            if (settings.dropNewest() && wouldOverflow(batch)) {
                drop(DropReason.QUEUE_FULL, 1);
                return CompletableResultCode.ofSuccess();
            }
            try {
                queue.add(batch);
            } catch (IOException e) {
                drop(DropReason.QUEUE_IO_ERROR, 1);
                LOG.error("sink {}: could not write a batch to the persistent queue: {}", name, e.toString());
                return CompletableResultCode.ofExceptionalFailure(e);
            }
            enforceBounds();
            changed.signalAll();
            return CompletableResultCode.ofSuccess();
        } finally {
            lock.unlock();
        }
    }

    private boolean wouldOverflow(Batch batch) {
        return queue.size() + 1 > settings.maxBatches() || queue.bytes() + batch.size() > queue.maxBytes();
    }

    /** Drops the oldest waiting batches until the queue is within bounds; never the one in flight. */
    private void enforceBounds() {
        while ((queue.size() > settings.maxBatches() || queue.bytes() > queue.maxBytes())
                && queue.size() > 0
                && !inFlight) {
            try {
                queue.removeHead();
                headGeneration++;
                drop(DropReason.QUEUE_FULL, 1);
            } catch (IOException e) {
                handleCorrupt(e);
            }
        }
    }

    private void drop(DropReason reason, long count) {
        dropped.merge(reason, count, Long::sum);
        if (reason == DropReason.QUEUE_FULL && !warnedFull) {
            warnedFull = true;
            LOG.warn(
                    "sink {}: queue full ({} batches / {} bytes), dropping the {} batches; counted in "
                            + "derpwatch.sink.items.dropped{reason=queue_full}",
                    name,
                    settings.maxBatches(),
                    queue.maxBytes(),
                    settings.dropNewest() ? "newest" : "oldest");
        }
    }

    private void handleCorrupt(Exception e) {
        int lost = queue.discardAll();
        headGeneration++;
        drop(DropReason.QUEUE_CORRUPT, lost);
        corruptAtRuntime++;
        LOG.error("sink {}: persistent queue unreadable ({}); set aside, {} batches lost", name, e.toString(), lost);
    }

    private void runWorker() {
        try {
            deliverLoop();
        } catch (RuntimeException | Error e) {
            LOG.error("sink {}: delivery worker stopped by an unexpected error; batches stay queued", name, e);
            lock.lock();
            try {
                lastError = "delivery worker stopped: " + e;
            } finally {
                lock.unlock();
            }
        }
    }

    private void deliverLoop() {
        long currentHead = -1;
        long firstAttemptNanos = 0;
        int attempt = 0;
        while (true) {
            Batch batch;
            lock.lock();
            try {
                while (queue.size() == 0 || state == State.STOPPED) {
                    completeFlushWaiters();
                    if (state != State.RUNNING) {
                        if (queue.size() == 0) {
                            drained.succeed();
                        }
                        return;
                    }
                    changed.awaitUninterruptibly();
                }
                if (headGeneration != currentHead) {
                    currentHead = headGeneration;
                    attempt = 0;
                    firstAttemptNanos = System.nanoTime();
                }
                try {
                    batch = queue.peek();
                } catch (IOException | RuntimeException e) {
                    handleCorrupt(e);
                    continue;
                }
                if (attempt > 0) {
                    retries++;
                }
                inFlight = true;
            } finally {
                lock.unlock();
            }

            DeliveryException failure = deliver(batch);

            lock.lock();
            try {
                inFlight = false;
                if (queueClosed) {
                    // stop() gave up waiting for this attempt and closed the queue: a persistent batch stays on
                    // disk (sent again next run if it did arrive), an in-memory one was counted as dropped
                    return;
                }
                if (failure == null) {
                    removeHead();
                    exported++;
                    warnedFull = false;
                    if (failing) {
                        failing = false;
                        LOG.info("sink {}: delivering again", name);
                    }
                } else {
                    failed++;
                    lastError = failure.getMessage();
                    boolean exhausted = System.nanoTime() - firstAttemptNanos
                            >= settings.retryMaxElapsed().toNanos();
                    if (!failure.retryable() || exhausted) {
                        removeHead();
                        drop(failure.retryable() ? DropReason.RETRY_EXHAUSTED : DropReason.REJECTED, 1);
                        LOG.warn(
                                "sink {}: dropped a {} batch: {}{}",
                                name,
                                batch.signal(),
                                failure.getMessage(),
                                failure.retryable() ? " (still failing after " + settings.retryMaxElapsed() + ")" : "");
                    } else {
                        if (!failing) {
                            failing = true;
                            LOG.warn("sink {}: delivery failed, will retry: {}", name, failure.getMessage());
                        }
                        long delay = backoffNanos(attempt++);
                        long head = headGeneration;
                        while (delay > 0 && state != State.STOPPED && headGeneration == head) {
                            delay = changed.awaitNanos(delay);
                        }
                    }
                }
                enforceBounds();
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
        }
    }

    private void removeHead() {
        try {
            queue.removeHead();
            headGeneration++;
        } catch (IOException e) {
            handleCorrupt(e);
        }
    }

    private void completeFlushWaiters() {
        if (queue.size() == 0 && !flushWaiters.isEmpty()) {
            flushWaiters.forEach(CompletableResultCode::succeed);
            flushWaiters.clear();
        }
    }

    long backoffNanos(int attempt) {
        double base = settings.retryInitial().toNanos() * Math.pow(2, Math.min(attempt, 30));
        double capped = Math.min(base, settings.retryMax().toNanos());
        return (long) (capped * (0.5 + ThreadLocalRandom.current().nextDouble() * 0.5));
    }

    @SuppressWarnings("unchecked")
    private DeliveryException deliver(Batch batch) {
        try {
            if (payloadSink != null) {
                payloadSink.send(batch);
                return null;
            }
            CompletableResultCode result = batch.signal() == Signal.METRICS
                    ? inner.metricExporter().export((Collection<MetricData>) batch.data())
                    : inner.logExporter().export((Collection<LogRecordData>) batch.data());
            result.join(PLAIN_EXPORT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (result.isSuccess()) {
                return null;
            }
            Throwable cause = result.getFailureThrowable();
            return new DeliveryException(
                    result.isDone()
                            ? "export failed" + (cause == null ? "" : ": " + cause)
                            : "export did not finish within " + PLAIN_EXPORT_TIMEOUT,
                    true,
                    cause);
        } catch (DeliveryException e) {
            return e;
        } catch (RuntimeException e) {
            return new DeliveryException("sink failed: " + e, true, e);
        }
    }

    private final class QueueingMetricExporter implements MetricExporter {
        @Override
        public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
            return AggregationTemporality.CUMULATIVE;
        }

        @Override
        public MemoryMode getMemoryMode() {
            return MemoryMode.IMMUTABLE_DATA;
        }

        @Override
        public CompletableResultCode export(Collection<MetricData> metrics) {
            return accept(Signal.METRICS, metrics);
        }

        @Override
        public CompletableResultCode flush() {
            return DeliveringSink.this.flush();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess(); // the SinkSet shuts the sink down once, with a timeout
        }
    }

    private final class QueueingLogExporter implements LogRecordExporter {
        @Override
        public CompletableResultCode export(Collection<LogRecordData> logs) {
            return accept(Signal.LOGS, logs);
        }

        @Override
        public CompletableResultCode flush() {
            return DeliveringSink.this.flush();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    @Override
    public String toString() {
        return "DeliveringSink[" + name + "]";
    }
}
