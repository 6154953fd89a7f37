package io.derpwatch.sinks.delivery;

import io.derpwatch.sinks.Batch;
import io.derpwatch.sinks.DropReason;
import io.derpwatch.sinks.SinkStats;
import io.opentelemetry.sdk.common.CompletableResultCode;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
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
    private final BatchQueue queue;
    private final int maxBatches;
    private final boolean dropNewest;
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
    private long headGeneration;
    private final DeliveryCounters counters;
    private int closedSize;
    private long closedBytes;

    SinkQueue(String sink, BatchQueue queue, DeliverySettings settings, Clock clock, int recovered) {
        this.sink = sink;
        this.queue = queue;
        this.maxBatches = settings.maxBatches();
        this.dropNewest = settings.dropNewest();
        this.clock = clock;
        this.recovered = recovered;
        this.counters = new DeliveryCounters(sink);
    }

    /** Counts a batch that arrived but could not become a batch (the encoding failed). */
    void encodingFailed() {
        lock.lock();
        try {
            counters.accepted();
            drop(DropReason.ENCODING_FAILED, 1);
        } finally {
            lock.unlock();
        }
    }

    /** Adds a batch; false when it was dropped at once (sink stopped, or full with drop-newest, or I/O error). */
    boolean offer(Batch batch) {
        lock.lock();
        try {
            counters.accepted();
            if (state == State.STOPPED) {
                drop(DropReason.SHUTDOWN, 1);
                LOG.warn("sink {}: a {} batch arrived after the sink stopped and was dropped", sink, batch.signal());
                return false;
            }
            if (dropNewest && (queue.size() + 1 > maxBatches || queue.bytes() + batch.size() > queue.maxBytes())) {
                drop(DropReason.QUEUE_FULL, 1);
                return true;
            }
            try {
                queue.add(batch, clock.millis());
            } catch (IOException | RuntimeException e) {
                drop(DropReason.QUEUE_IO_ERROR, 1);
                LOG.error("sink {}: could not write a batch to the persistent queue: {}", sink, e.toString());
                return false;
            }
            enforceBounds();
            changed.signalAll();
            return true;
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
                while (queue.size() == 0 || state == State.STOPPED) {
                    completeFlushWaiters();
                    if (state != State.RUNNING) {
                        if (queue.size() == 0) {
                            drained.succeed();
                        }
                        return null;
                    }
                    changed.awaitUninterruptibly();
                }
                try {
                    Batch batch = queue.peek();
                    if (batch != null) {
                        inFlight = true;
                        return new Head(batch, headGeneration);
                    }
                } catch (IOException | RuntimeException e) {
                    handleCorrupt(e);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** The backend acknowledged the head. */
    void delivered(Head head) {
        lock.lock();
        try {
            inFlight = false;
            if (!closed && head.generation() == headGeneration) {
                removeHead();
                counters.exported();
            }
            enforceBounds();
        } finally {
            lock.unlock();
        }
    }

    /** One attempt failed; counted, and the head stays queued until {@link #dropHead} or a later success. */
    void failed(String error) {
        lock.lock();
        try {
            inFlight = false;
            counters.failed(error);
            enforceBounds();
        } finally {
            lock.unlock();
        }
    }

    void retrying() {
        lock.lock();
        try {
            counters.retried();
        } finally {
            lock.unlock();
        }
    }

    /** Gives the head up with {@code reason}. */
    void dropHead(Head head, DropReason reason) {
        lock.lock();
        try {
            if (!closed && head.generation() == headGeneration && queue.size() > 0) {
                removeHead();
                drop(reason, 1);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The worker crashed: nothing is in flight any more; the message is kept for {@code lastError}. */
    void crashed(String error) {
        lock.lock();
        try {
            inFlight = false;
            counters.lastError(error);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits up to {@code nanos} (a retry backoff or a restart delay); returns early when the sink stops or the
     * head changes. False when the worker should not go on waiting because the sink stopped.
     */
    boolean await(long nanos, long generation) {
        lock.lock();
        try {
            long left = nanos;
            while (left > 0 && state != State.STOPPED && headGeneration == generation) {
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

    /** Waits up to {@code nanos} unless the sink stops first; false when it stopped. */
    boolean awaitStop(long nanos) {
        lock.lock();
        try {
            long left = nanos;
            while (left > 0 && state != State.STOPPED) {
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
        lock.lock();
        try {
            return headGeneration;
        } finally {
            lock.unlock();
        }
    }

    boolean running() {
        lock.lock();
        try {
            return state != State.STOPPED;
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Completes when every batch accepted so far has been delivered or dropped. */
    CompletableResultCode flush() {
        lock.lock();
        try {
            if (queue.size() == 0) {
                return CompletableResultCode.ofSuccess();
            }
            if (state == State.STOPPED) {
                return CompletableResultCode.ofFailure();
            }
            var code = new CompletableResultCode();
            flushWaiters.add(code);
            return code;
        } finally {
            lock.unlock();
        }
    }

    /** Stops accepting new work once the queue is empty; completes when it is. */
    CompletableResultCode drain() {
        lock.lock();
        try {
            if (state == State.RUNNING) {
                state = State.DRAINING;
                changed.signalAll();
            }
            if (queue.size() == 0 && !inFlight) {
                drained.succeed();
            }
        } finally {
            lock.unlock();
        }
        return drained;
    }

    /** Ends delivery; the worker's waits return. False when it was stopped already. */
    boolean stop() {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            state = State.STOPPED;
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes the queue after the worker ended (or was given up on): what memory held is counted as dropped
     * ({@code shutdown}), what a file holds stays for the next run.
     */
    void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (queue instanceof MemoryBatchQueue && queue.size() > 0) {
                int lost = queue.discardAll();
                drop(DropReason.SHUTDOWN, lost);
                LOG.warn("sink {}: {} batches not delivered before shutdown were dropped", sink, lost);
            } else if (queue.size() > 0) {
                LOG.info("sink {}: {} batches stay in the persistent queue for the next run", sink, queue.size());
            }
            closedSize = queue.size();
            closedBytes = queue.bytes();
            queue.close();
            closed = true;
            flushWaiters.forEach(CompletableResultCode::fail);
            flushWaiters.clear();
            if (!drained.isDone()) {
                drained.fail();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The counters now; the health fields come from the worker. */
    SinkStats stats(boolean workerAlive, long restarts) {
        lock.lock();
        try {
            long oldest = closed ? -1 : headAcceptedAt();
            FileBatchQueue file = queue instanceof FileBatchQueue f ? f : null;
            return counters.snapshot(
                    recovered,
                    file == null ? 0 : file.lostAtOpen(),
                    file == null ? 0 : file.corruptFiles(),
                    closed ? closedSize : queue.size(),
                    closed ? closedBytes : queue.bytes(),
                    workerAlive,
                    restarts,
                    Duration.ofMillis(oldest < 0 ? 0 : Math.max(0, clock.millis() - oldest)));
        } finally {
            lock.unlock();
        }
    }

    private long headAcceptedAt() {
        try {
            return queue.headAcceptedAtMillis();
        } catch (IOException | RuntimeException e) {
            return -1; // the worker meets the damage on its next take() and handles it there
        }
    }

    private void completeFlushWaiters() {
        if (queue.size() == 0 && !flushWaiters.isEmpty()) {
            flushWaiters.forEach(CompletableResultCode::succeed);
            flushWaiters.clear();
        }
    }

    /** Drops the oldest waiting batches until the queue is within bounds; never the one in flight. */
    private void enforceBounds() {
        while ((queue.size() > maxBatches || queue.bytes() > queue.maxBytes()) && queue.size() > 0 && !inFlight) {
            removeHead();
            drop(DropReason.QUEUE_FULL, 1);
        }
    }

    private void removeHead() {
        try {
            queue.removeHead();
            headGeneration++;
        } catch (IOException | RuntimeException e) {
            handleCorrupt(e);
        }
    }

    private void drop(DropReason reason, long count) {
        counters.drop(reason, count, maxBatches, queue.maxBytes(), dropNewest);
    }

    private void handleCorrupt(Exception e) {
        int lost = queue.discardAll();
        headGeneration++;
        drop(DropReason.QUEUE_CORRUPT, lost); // the file queue counts the file it set aside
        LOG.error("sink {}: persistent queue unreadable ({}); set aside, {} batches lost", sink, e.toString(), lost);
    }
}
