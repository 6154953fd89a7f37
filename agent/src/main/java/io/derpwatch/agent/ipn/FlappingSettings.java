package io.derpwatch.agent.ipn;

import io.derpwatch.config.SettingsReader;
import io.derpwatch.config.SettingsSection;
import java.time.Duration;
import java.util.function.LongSupplier;

/** {@code derpwatch.flapping}: changes allowed within the window before a subject counts as flapping. */
public record FlappingSettings(int maxChanges, Duration window) {
    /** Off: every change reported. */
    public static final FlappingSettings OFF = new FlappingSettings(1, Duration.ZERO);

    /** A rule on this clock (monotonic nanoseconds). */
    public FlappingRule rule(LongSupplier nanoClock) {
        return new FlappingRule(maxChanges, window, nanoClock);
    }

    /** {@code derpwatch.flapping}, registered in META-INF/services/io.derpwatch.config.SettingsSection. */
    public static final class Section implements SettingsSection<FlappingSettings> {
        @Override
        public String key() {
            return "flapping";
        }

        @Override
        public FlappingSettings read(SettingsReader r) {
            int maxChanges = r.integer("max-changes", 1, 1_000_000);
            Duration window = Duration.ZERO;
            if (!r.has("window")) {
                r.problem("window", "missing (expected a duration such as 10m, or 0s for off)");
            } else {
                try {
                    window = r.config().getDuration("window");
                    if (window.isNegative()) {
                        r.problem("window", "duration must not be negative (expected a duration such as 10m, or 0s)");
                        window = Duration.ZERO;
                    } else if (!window.isZero() && window.compareTo(Duration.ofSeconds(1)) < 0) {
                        r.problem("window", "below the minimum 1s (expected at least 1s, or 0s for off)");
                    }
                } catch (com.typesafe.config.ConfigException e) {
                    r.problem("window", "bad duration (expected a duration such as 10m, or 0s for off)");
                }
            }
            return new FlappingSettings(maxChanges, window);
        }
    }
}
