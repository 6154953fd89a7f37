package io.derpwatch.agent.source;

import java.time.Duration;

/**
 * When a polled source samples.
 *
 * @param interval time between the starts of two samples
 * @param jitter   up to this much is added to each wait (zero for none), so many agents do not sample in step
 * @param timeout  a sample still running after this long is abandoned: counted as {@code error.type=sample_timeout},
 *                 a {@code derpwatch.component.restarts}, and the next tick samples again
 */
public record PollSchedule(Duration interval, Duration jitter, Duration timeout) {
    public PollSchedule {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive: " + interval);
        }
        if (jitter.isNegative()) {
            throw new IllegalArgumentException("jitter must not be negative: " + jitter);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
    }

    /** No jitter; the timeout is the interval, at least {@code minTimeout}. */
    public static PollSchedule every(Duration interval, Duration minTimeout) {
        return new PollSchedule(interval, Duration.ZERO, interval.compareTo(minTimeout) > 0 ? interval : minTimeout);
    }
}
