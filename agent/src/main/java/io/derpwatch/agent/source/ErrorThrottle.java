package io.derpwatch.agent.source;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * Decides which source errors become {@code derpwatch.source.error} events: the first of a run, any whose key
 * (kind and path) differs from the last one reported, and a repeat of the same one at most once per
 * {@code repeatInterval}, carrying how many were held back. A success ends the run.
 */
final class ErrorThrottle {
    private final long repeatNanos;
    private final LongSupplier nanoTime;
    private String lastKey;
    private long lastReportedAt;
    private long suppressed;

    ErrorThrottle(Duration repeatInterval, LongSupplier nanoTime) {
        this.repeatNanos = repeatInterval.toNanos();
        this.nanoTime = nanoTime;
    }

    /** Report this error? If so, how many were held back since the last report. */
    OptionalLong onError(String key) {
        long now = nanoTime.getAsLong();
        if (lastKey == null || !Objects.equals(key, lastKey) || now - lastReportedAt >= repeatNanos) {
            long held = Objects.equals(key, lastKey) ? suppressed : 0;
            lastKey = key;
            lastReportedAt = now;
            suppressed = 0;
            return OptionalLong.of(held);
        }
        suppressed++;
        return OptionalLong.empty();
    }

    void onSuccess() {
        lastKey = null;
        suppressed = 0;
    }
}
