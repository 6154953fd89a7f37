package io.derpwatch.agent.health;

import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsException;
import io.derpwatch.config.SettingsReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code derpwatch.health} bounds of {@code /healthz} (defaults and meaning in {@code reference.conf},
 * rules in docs/reliability.md). Read from {@link DerpwatchSettings#config()} until the config module gives
 * each feature its own section.
 *
 * @param stalledAfterIntervals a polled source without a completed sample for this many intervals is stalled
 * @param maxLoopLag            the event loop may lag this much
 * @param maxQueuedAge          a sink's oldest queued batch may wait this long
 */
public record HealthSettings(int stalledAfterIntervals, Duration maxLoopLag, Duration maxQueuedAge) {
    static final String SECTION = "health";
    static final int MIN_STALLED_AFTER_INTERVALS = 1;
    static final int MAX_STALLED_AFTER_INTERVALS = 1000;
    static final Duration MIN_LOOP_LAG = Duration.ofSeconds(1);
    static final Duration MIN_QUEUED_AGE = Duration.ofSeconds(10);

    /** Reads and checks {@code derpwatch.health}; every problem is located (file, line, key). */
    public static HealthSettings from(DerpwatchSettings settings) throws SettingsException {
        List<ConfigProblem> problems = new ArrayList<>();
        SettingsReader r = new SettingsReader(settings.config().getConfig(SECTION), "derpwatch." + SECTION, problems);
        HealthSettings health = new HealthSettings(
                r.integer("stalled-after-intervals", MIN_STALLED_AFTER_INTERVALS, MAX_STALLED_AFTER_INTERVALS),
                atLeast(r, "max-loop-lag", MIN_LOOP_LAG),
                atLeast(r, "max-queued-age", MIN_QUEUED_AGE));
        r.throwIfProblems();
        return health;
    }

    /**
     * For settings the CLI already validated ({@code ConfigOptions.load} calls {@link #from}): a bad value here is
     * a programming error.
     */
    public static HealthSettings ofValidated(DerpwatchSettings settings) {
        try {
            return from(settings);
        } catch (SettingsException e) {
            throw new IllegalArgumentException("invalid derpwatch.health settings: " + e.problems(), e);
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
