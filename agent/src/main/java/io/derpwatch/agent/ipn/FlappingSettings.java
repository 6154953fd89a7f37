package io.derpwatch.agent.ipn;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.function.LongSupplier;

/** {@code derpwatch.flapping}: changes allowed within the window before a subject counts as flapping. */
public record FlappingSettings(int maxChanges, Duration window) {
    /** Off: every change reported. */
    public static final FlappingSettings OFF = new FlappingSettings(1, Duration.ZERO);

    public static FlappingSettings from(Config derpwatch) {
        Config c = derpwatch.getConfig("flapping");
        return new FlappingSettings(c.getInt("max-changes"), c.getDuration("window"));
    }

    /** A rule on this clock (monotonic nanoseconds). */
    public FlappingRule rule(LongSupplier nanoClock) {
        return new FlappingRule(maxChanges, window, nanoClock);
    }
}
