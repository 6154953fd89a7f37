package io.derpwatch.sinks.delivery;

import io.derpwatch.sinks.Batch;
import io.derpwatch.sinks.DropReason;
import io.derpwatch.sinks.SinkStats;
import io.opentelemetry.sdk.common.CompletableResultCode;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded queue of one sink and its counters, behind one lock: the SDK side offers batches, the worker takes
 * the head, reports the outcome, and waits for retries here. Counting (unit: one batch): {@code accepted +
 * recovered == exported + dropped + queued} holds whenever the lock is free. The batch being sent stays at the
 * head (on disk, for a persistent queue) until the backend acknowledged it, so it is never dropped while in
 * flight: if the queue overflows then, the oldest batch goes as soon as the attempt ends.
 */
final class SinkQueue {
    private static final Logger LOG = LoggerFactory.getLogger(SinkQueue.class);

    enum State {
        RUNNING,
        DRAINING,
        STOPPED
    }

    /** The batch the worker is sending, and which head it was (so a retry wait ends when the head changes). */
    record Head(Batch batch, long generation) {}

    private final String sink;
    private final BoundedBatches batches;
    private final Clock clock;
    private final int recovered;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<CompletableResultCode> flushWaiters = new ArrayList<>();
    private final CompletableResultCode drained = new CompletableResultCode();

    // all guarded by lock
    private State state = State.RUNNING;
    private boolean inFlight;
    private boolean closed;
    private final DeliveryCounters counters;

    SinkQueue(String sink, BatchQueue queue, DeliverySettings settings, Clock clock, int recovered) {
        this.sink = sink;
        this.counters = new DeliveryCounters(sink);
        this.batches = new BoundedBatches(sink, queue, settings, clock, counters);
        this.clock = clock;
        this.recovered = recovered;
    }

    /** Counts a batch that arrived but could not become a batch (the encoding failed). */
    void encodingFailed() {
        locked(() -> {
            counters.accepted();
            batches.drop(DropReason.ENCODING_FAILED, 1);
        });
    }

    /** Adds a batch; false when it was dropped at once (sink stopped, or full with drop-newest, or I/O error). */
    boolean offer(Batch batch) {
        lock.lock();
        try {
            counters.accepted();
            if (state == State.STOPPED) {
                batches.drop(DropReason.SHUTDOWN, 1);
                LOG.warn("sink {}: a {} batch arrived after the sink stopped and was dropped", sink, batch.signal());
                return false;
            }
            boolean stored = batches.add(batch, inFlight);
            changed.signalAll();
            return stored;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for the next batch to send and marks it in flight; null when the worker should end (draining and
     * empty, or stopped).
     */
    @Nullable
    Head take() {
        lock.lock();
        try {
            while (true) {
                while (batches.size() == 0 || state == State.STOPPED) {
                    completeFlushWaiters();
                    if (state != State.RUNNING) {
                        if (batches.size() == 0) {
                            drained.succeed();
                        }
                        return null;
                    }
                    changed.awaitUninterruptibly();
                }
                Batch batch = batches.head();
                if (batch != null) {
                    inFlight = true;
                    return new Head(batch, batches.generation());
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** The backend acknowledged the head. */
    void delivered(Head head) {
        locked(() -> {
            inFlight = false;
            if (!closed && head.generation() == batches.generation()) {
                batches.removeHead();
                counters.exported();
            }
            batches.enforceBounds(inFlight);
        });
    }

    /** One attempt failed; counted, and the head stays queued until {@link #dropHead} or a later success. */
    void failed(String error) {
        locked(() -> {
            inFlight = false;
            counters.failed(error);
            batches.enforceBounds(inFlight);
        });
    }

    void retrying() {
        locked(counters::retried);
    }

    /** Gives the head up with {@code reason}. */
    void dropHead(Head head, DropReason reason) {
        locked(() -> {
            if (!closed && head.generation() == batches.generation() && batches.size() > 0) {
                batches.removeHead();
                batches.drop(reason, 1);
            }
        });
    }

    /** The worker crashed: nothing is in flight any more; the message is kept for {@code lastError}. */
    void crashed(String error) {
        locked(() -> {
            inFlight = false;
            counters.lastError(error);
        });
    }

    /**
     * Waits up to {@code nanos} (a retry backoff or a restart delay); returns early when the sink stops or the
     * head changes. False when the worker should not go on waiting because the sink stopped.
     */
    boolean await(long nanos, long generation) {
        return waitWhile(nanos, () -> batches.generation() == generation);
    }

    /** Waits up to {@code nanos} unless the sink stops first; false when it stopped. */
    boolean awaitStop(long nanos) {
        return waitWhile(nanos, () -> true);
    }

    private boolean waitWhile(long nanos, BooleanSupplier unchanged) {
        lock.lock();
        try {
            long left = nanos;
            while (left > 0 && state != State.STOPPED && unchanged.getAsBoolean()) {
                left = changed.awaitNanos(left);
            }
            return state != State.STOPPED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    long generation() {
        return locked(() -> batches.generation());
    }

    boolean running() {
        return locked(() -> state != State.STOPPED);
    }

    int size() {
        return locked(batches::size);
    }

    /** Completes when every batch accepted so far has been delivered or dropped. */
    CompletableResultCode flush() {
        return locked(() -> {
            if (batches.size() == 0) {
                return CompletableResultCode.ofSuccess();
            }
            if (state == State.STOPPED) {
                return CompletableResultCode.ofFailure();
            }
            var code = new CompletableResultCode();
            flushWaiters.add(code);
            return code;
        });
    }

    /** Stops accepting new work once the queue is empty; completes when it is. */
    CompletableResultCode drain() {
        lock.lock();
        try {
            if (state == State.RUNNING) {
                state = State.DRAINING;
                changed.signalAll();
            }
            if (batches.size() == 0 && !inFlight) {
                drained.succeed();
            }
        } finally {
            lock.unlock();
        }
        return drained;
    }

    /** Ends delivery; the worker's waits return. False when it was stopped already. */
    boolean stop() {
        return locked(() -> {
            if (closed) {
                return false;
            }
            state = State.STOPPED;
            changed.signalAll();
            return true;
        });
    }

    /**
     * Closes the queue after the worker ended (or was given up on): what memory held is counted as dropped
     * ({@code shutdown}), what a file holds stays for the next run.
     */
    void close() {
        locked(() -> {
            if (closed) {
                return;
            }
            batches.close();
            closed = true;
            flushWaiters.forEach(CompletableResultCode::fail);
            flushWaiters.clear();
            if (!drained.isDone()) {
                drained.fail();
            }
        });
    }

    /** The counters now; the health fields come from the worker. */
    SinkStats stats(boolean workerAlive, long restarts) {
        return locked(() -> {
            long oldest = closed ? -1 : batches.headAcceptedAtMillis();
            FileBatchQueue file = batches.file();
            return counters.snapshot(
                    recovered,
                    file == null ? 0 : file.lostAtOpen(),
                    file == null ? 0 : file.corruptFiles(),
                    closed ? batches.sizeAtClose() : batches.size(),
                    closed ? batches.bytesAtClose() : batches.bytes(),
                    workerAlive,
                    restarts,
                    Duration.ofMillis(oldest < 0 ? 0 : Math.max(0, clock.millis() - oldest)));
        });
    }

    private void completeFlushWaiters() {
        if (batches.size() == 0 && !flushWaiters.isEmpty()) {
            flushWaiters.forEach(CompletableResultCode::succeed);
            flushWaiters.clear();
        }
    }

    private void locked(Runnable action) {
        lock.lock();
        try {
            action.run();
        } finally {
            lock.unlock();
        }
    }

    private <T> T locked(Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }
}
