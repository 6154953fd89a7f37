package io.derpwatch.sinks.delivery;

import io.derpwatch.sinks.Batch;
import io.derpwatch.sinks.DropReason;
import java.io.IOException;
import java.time.Clock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sink's stored batches (memory or file) held within {@code max-batches} and the queue's byte bound, with
 * every batch that leaves them other than by delivery counted as dropped: overflow (the oldest waiting batch, or
 * the newest with {@code drop-newest}), I/O errors and a file found unreadable. {@link #generation()} changes
 * whenever the head does. Not thread-safe: used under {@link SinkQueue}'s lock.
 */
final class BoundedBatches {
    private static final Logger LOG = LoggerFactory.getLogger(BoundedBatches.class);

    private final String sink;
    private final BatchQueue queue;
    private final int maxBatches;
    private final boolean dropNewest;
    private final Clock clock;
    private final DeliveryCounters counters;
    private long generation;
    private int sizeAtClose;
    private long bytesAtClose;

    BoundedBatches(String sink, BatchQueue queue, DeliverySettings settings, Clock clock, DeliveryCounters counters) {
        this.sink = sink;
        this.queue = queue;
        this.maxBatches = settings.maxBatches();
        this.dropNewest = settings.dropNewest();
        this.clock = clock;
        this.counters = counters;
    }

    /**
     * Stores {@code batch}; true when it was stored or dropped for overflow (with drop-newest, or the oldest
     * waiting one instead), false when it could not be written ({@code queue_io_error}).
     */
    boolean add(Batch batch, boolean inFlight) {
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
        enforceBounds(inFlight);
        return true;
    }

    /** The head; null when there is none or it was unreadable (then everything is set aside and counted). */
    @Nullable
    Batch head() {
        try {
            return queue.peek();
        } catch (IOException | RuntimeException e) {
            setAside(e);
            return null;
        }
    }

    /** Drops the oldest waiting batches until within bounds; never the one in flight. */
    void enforceBounds(boolean inFlight) {
        while ((queue.size() > maxBatches || queue.bytes() > queue.maxBytes()) && queue.size() > 0 && !inFlight) {
            removeHead();
            drop(DropReason.QUEUE_FULL, 1);
        }
    }

    void removeHead() {
        try {
            queue.removeHead();
            generation++;
        } catch (IOException | RuntimeException e) {
            setAside(e);
        }
    }

    void drop(DropReason reason, long count) {
        counters.drop(reason, count, maxBatches, queue.maxBytes(), dropNewest);
    }

    /**
     * Closes the store: what memory held is counted as dropped ({@code shutdown}), what a file holds stays for
     * the next run.
     */
    void close() {
        if (queue instanceof MemoryBatchQueue && queue.size() > 0) {
            int lost = queue.discardAll();
            drop(DropReason.SHUTDOWN, lost);
            LOG.warn("sink {}: {} batches not delivered before shutdown were dropped", sink, lost);
        } else if (queue.size() > 0) {
            LOG.info("sink {}: {} batches stay in the persistent queue for the next run", sink, queue.size());
        }
        sizeAtClose = queue.size();
        bytesAtClose = queue.bytes();
        queue.close();
    }

    /** What {@link #close} left (batches that stay in the file for the next run). */
    int sizeAtClose() {
        return sizeAtClose;
    }

    long bytesAtClose() {
        return bytesAtClose;
    }

    /** When the head was accepted (wall millis); -1 when empty or unreadable. */
    long headAcceptedAtMillis() {
        try {
            return queue.headAcceptedAtMillis();
        } catch (IOException | RuntimeException e) {
            return -1; // the worker meets the damage on its next head() and handles it there
        }
    }

    long generation() {
        return generation;
    }

    int size() {
        return queue.size();
    }

    long bytes() {
        return queue.bytes();
    }

    /** The file queue, for its counters; null for a memory queue. */
    @Nullable
    FileBatchQueue file() {
        return queue instanceof FileBatchQueue f ? f : null;
    }

    private void setAside(Exception e) {
        int lost = queue.discardAll();
        generation++;
        drop(DropReason.QUEUE_CORRUPT, lost); // the file queue counts the file it set aside
        LOG.error("sink {}: persistent queue unreadable ({}); set aside, {} batches lost", sink, e.toString(), lost);
    }
}
