package io.derpwatch.agent.health;

import io.derpwatch.config.SettingsReader;
import io.derpwatch.config.SettingsSection;
import java.time.Duration;

/**
 * The {@code derpwatch.health} bounds of {@code /healthz} (defaults and meaning in the agent's
 * {@code reference.conf}, rules in docs/reliability.md).
 *
 * @param stalledAfterIntervals a polled source without a completed sample for this many intervals is stalled
 * @param maxLoopLag            the event loop may lag this much
 * @param maxQueuedAge          a sink's oldest queued batch may wait this long
 */
public record HealthSettings(int stalledAfterIntervals, Duration maxLoopLag, Duration maxQueuedAge) {
    static final int MIN_STALLED_AFTER_INTERVALS = 1;
    static final int MAX_STALLED_AFTER_INTERVALS = 1000;
    static final Duration MIN_LOOP_LAG = Duration.ofSeconds(1);
    static final Duration MIN_QUEUED_AGE = Duration.ofSeconds(10);

    /** {@code derpwatch.health}, registered in the agent's META-INF/services/io.derpwatch.config.SettingsSection. */
    public static final class Section implements SettingsSection<HealthSettings> {
        @Override
        public String key() {
            return "health";
        }

        @Override
        public HealthSettings read(SettingsReader r) {
            return new HealthSettings(
                    r.integer("stalled-after-intervals", MIN_STALLED_AFTER_INTERVALS, MAX_STALLED_AFTER_INTERVALS),
                    atLeast(r, "max-loop-lag", MIN_LOOP_LAG),
                    atLeast(r, "max-queued-age", MIN_QUEUED_AGE));
        }
    }

    private static Duration atLeast(SettingsReader r, String key, Duration min) {
        int before = r.problems().size();
        Duration d = r.duration(key);
        if (d.compareTo(min) < 0 && r.problems().size() == before) { // not already reported as missing or bad
            r.problem(key, "duration " + d.toMillis() + " ms is below the minimum " + min.toMillis() + " ms");
        }
        return d.compareTo(min) < 0 ? min : d;
    }
}
