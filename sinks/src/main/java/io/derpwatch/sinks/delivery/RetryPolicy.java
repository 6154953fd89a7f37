package io.derpwatch.sinks.delivery;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When a failed batch is tried again: exponential backoff from {@code retry.initial}, capped at {@code retry.max},
 * with jitter (each delay is 50-100 % of the capped value), until {@code retry.max-elapsed} has passed since the
 * batch's first attempt. The same curve, without jitter, spaces the restarts of a crashed delivery worker.
 */
record RetryPolicy(Duration initial, Duration max, Duration maxElapsed) {
    /** Tries of one batch on which the sink threw an unexpected exception or error before it is dropped. */
    static final int SINK_ERROR_ATTEMPTS = 3;

    static RetryPolicy of(DeliverySettings settings) {
        return new RetryPolicy(settings.retryInitial(), settings.retryMax(), settings.retryMaxElapsed());
    }

    /** The delay before retry number {@code attempt + 1} (attempt 0 is the first retry). */
    long backoffNanos(int attempt) {
        return (long) (cappedNanos(attempt) * (0.5 + ThreadLocalRandom.current().nextDouble() * 0.5));
    }

    /** The delay before the supervisor restarts a worker that crashed {@code crashes} times in a row. */
    long restartDelayNanos(int crashes) {
        return (long) cappedNanos(Math.max(0, crashes - 1));
    }

    /** True when a batch first tried {@code elapsedNanos} ago must not be tried again. */
    boolean exhausted(long elapsedNanos) {
        return elapsedNanos >= maxElapsed.toNanos();
    }

    private double cappedNanos(int attempt) {
        double base = initial.toNanos() * Math.pow(2, Math.min(attempt, 30));
        return Math.min(base, max.toNanos());
    }
}
