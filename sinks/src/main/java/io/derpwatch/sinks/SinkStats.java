package io.derpwatch.sinks;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An immutable snapshot of one sink's delivery counters and health. The unit of every count is one
 * <em>batch</em>: one export call of the OpenTelemetry SDK, which becomes one OTLP request, one Kafka message or
 * one stdout line. At any moment {@code accepted + recovered == exported + droppedTotal() + queued}.
 *
 * <p>What a health check needs: {@link #workerAlive()} (the delivery worker runs, or is about to restart),
 * {@link #oldestQueuedAge()} (how long the oldest waiting batch has waited: a worker that is alive but stuck, or
 * a backend down for long, shows here), and {@link #restarts()}.
 *
 * @param sink              the sink's name ({@code derpwatch.sinks.<name>})
 * @param accepted          batches handed to the sink by the SDK since start
 * @param recovered         batches found in the persistent queue at start (left by an earlier run)
 * @param exported          batches the backend acknowledged
 * @param failed            delivery attempts that failed (a batch retried three times counts three)
 * @param dropped           batches given up, by reason; every reason is present (zero when none)
 * @param queued            batches waiting (including the one being sent)
 * @param queuedBytes       encoded size of the waiting batches
 * @param retries           delivery attempts that were retries of an earlier failed attempt
 * @param corruptQueueFiles persistent queue files found corrupt and set aside
 * @param lastError         the last delivery failure's message (null when none yet); never holds credentials
 * @param workerAlive       false only when the delivery worker has ended and the sink is still running (a bug the
 *                          supervisor could not heal); true while it runs or waits to restart
 * @param restarts          times the supervisor restarted the delivery worker after an unexpected error
 * @param oldestQueuedAge   how long the oldest waiting batch has waited (zero when the queue is empty); for a
 *                          batch left by an earlier run, counted from the time this run opened the queue
 */
public record SinkStats(
        String sink,
        long accepted,
        long recovered,
        long exported,
        long failed,
        Map<DropReason, Long> dropped,
        long queued,
        long queuedBytes,
        long retries,
        long corruptQueueFiles,
        @Nullable String lastError,
        boolean workerAlive,
        long restarts,
        Duration oldestQueuedAge) {
    public SinkStats {
        EnumMap<DropReason, Long> all = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            all.put(r, dropped.getOrDefault(r, 0L));
        }
        dropped = Map.copyOf(all);
    }

    public long dropped(DropReason reason) {
        return dropped.get(reason);
    }

    public long droppedTotal() {
        return dropped.values().stream().mapToLong(Long::longValue).sum();
    }
}
