package io.derpwatch.agent.source;

import java.time.Duration;
import java.util.function.LongUnaryOperator;

/**
 * When a streaming source connects again.
 *
 * @param backoff        the base wait after the first failure or end of stream; doubled on each further one
 * @param maxBackoff     the base wait never exceeds this; a connection that stayed open this long resets the
 *                       backoff to {@code backoff}
 * @param connectTimeout a connection not opened after this long is given up: {@code error.type=connect_timeout},
 *                       a {@code derpwatch.component.restarts}, and a reconnect after the backoff
 */
public record ReconnectSchedule(Duration backoff, Duration maxBackoff, Duration connectTimeout) {
    public ReconnectSchedule {
        if (backoff.isNegative() || backoff.isZero()) {
            throw new IllegalArgumentException("backoff must be positive: " + backoff);
        }
        if (maxBackoff.compareTo(backoff) < 0) {
            throw new IllegalArgumentException("max backoff " + maxBackoff + " is below the backoff " + backoff);
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connect timeout must be positive: " + connectTimeout);
        }
    }

    /**
     * The base wait before reconnect number {@code failures} (1 for the first): {@code backoff × 2^(failures-1)},
     * at most {@code maxBackoff}. The runner waits between half of it and all of it ("equal jitter").
     */
    long baseWaitNanos(int failures) {
        long base = backoff.toNanos();
        long max = maxBackoff.toNanos();
        for (int i = 1; i < failures && base < max; i++) {
            base = base > max / 2 ? max : base * 2;
        }
        return Math.min(base, max);
    }

    /** The wait before reconnect number {@code failures}: half the base wait plus {@code jitter} of the other half. */
    long waitNanos(int failures, LongUnaryOperator jitter) {
        long base = baseWaitNanos(failures);
        return base - base / 2 + jitter.applyAsLong(base / 2);
    }
}
