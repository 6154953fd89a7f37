package io.derpwatch.config;

import java.time.Duration;

/** What happens on SIGTERM. */
public record ShutdownSettings(Duration timeout) {
    /** {@code derpwatch.shutdown}, registered in META-INF/services/io.derpwatch.config.SettingsSection. */
    public static final class Section implements SettingsSection<ShutdownSettings> {
        @Override
        public String key() {
            return "shutdown";
        }

        @Override
        public ShutdownSettings read(SettingsReader reader) {
            return ShutdownSettings.read(reader);
        }
    }

    static ShutdownSettings read(SettingsReader r) {
        return new ShutdownSettings(r.duration("timeout", Duration.ofMillis(100)));
    }
}
