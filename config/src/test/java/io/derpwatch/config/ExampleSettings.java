package io.derpwatch.config;

import java.time.Duration;

/**
 * A test-only feature's settings, written the way docs/configuration.md ("Adding a config section") says: a
 * record, its nested {@link Section} listed in META-INF/services, and a {@code derpwatch.example} block in
 * reference.conf.
 */
public record ExampleSettings(boolean enabled, Duration interval) {

    /** {@code derpwatch.example}. */
    public static final class Section implements SettingsSection<ExampleSettings> {
        @Override
        public String key() {
            return "example";
        }

        @Override
        public ExampleSettings read(SettingsReader r) {
            return new ExampleSettings(r.bool("enabled"), r.duration("interval", Duration.ofSeconds(1)));
        }
    }
}
