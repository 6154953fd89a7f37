package io.derpwatch.sinks.delivery;

import io.derpwatch.sinks.DropReason;
import io.derpwatch.sinks.SinkStats;
import java.time.Duration;
import java.util.EnumMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery counters of one sink (unit: one batch). Not thread-safe: {@link SinkQueue} holds its lock around
 * every call. The first queue-full drop after a delivery is logged once; the counter tells the rest.
 */
final class DeliveryCounters {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryCounters.class);

    private final String sink;
    private long accepted;
    private long exported;
    private long failed;
    private long retries;
    private final EnumMap<DropReason, Long> dropped = new EnumMap<>(DropReason.class);
    private @Nullable String lastError;
    private boolean warnedFull;

    DeliveryCounters(String sink) {
        this.sink = sink;
    }

    void accepted() {
        accepted++;
    }

    void exported() {
        exported++;
        warnedFull = false;
    }

    void failed(@Nullable String error) {
        failed++;
        lastError = error;
    }

    void retried() {
        retries++;
    }

    void lastError(String error) {
        lastError = error;
    }

    /** Counts {@code count} batches given up with {@code reason}. */
    void drop(DropReason reason, long count, int maxBatches, long maxBytes, boolean dropNewest) {
        dropped.merge(reason, count, Long::sum);
        if (reason == DropReason.QUEUE_FULL && !warnedFull) {
            warnedFull = true;
            LOG.warn(
                    "sink {}: queue full ({} batches / {} bytes), dropping the {} batches; counted in "
                            + "derpwatch.sink.items.dropped{reason=queue_full}",
                    sink,
                    maxBatches,
                    maxBytes,
                    dropNewest ? "newest" : "oldest");
        }
    }

    /** What the queue's file lost before this run could read it is added to the drops and the recovered. */
    SinkStats snapshot(
            int recovered,
            int lostAtOpen,
            int corruptFiles,
            long queued,
            long queuedBytes,
            boolean workerAlive,
            long restarts,
            Duration oldestQueuedAge) {
        EnumMap<DropReason, Long> drops = new EnumMap<>(dropped);
        if (lostAtOpen > 0) {
            drops.merge(DropReason.QUEUE_CORRUPT, (long) lostAtOpen, Long::sum);
        }
        return new SinkStats(
                sink,
                accepted,
                recovered + lostAtOpen,
                exported,
                failed,
                drops,
                queued,
                queuedBytes,
                retries,
                corruptFiles,
                lastError,
                workerAlive,
                restarts,
                oldestQueuedAge);
    }
}
