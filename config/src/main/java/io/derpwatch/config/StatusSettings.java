package io.derpwatch.config;

import java.time.Duration;

/** How often tailscaled's status and DERP map are read. */
public record StatusSettings(Duration interval, Duration derpMapInterval) {
    /** {@code derpwatch.status}, registered in META-INF/services/io.derpwatch.config.SettingsSection. */
    public static final class Section implements SettingsSection<StatusSettings> {
        @Override
        public String key() {
            return "status";
        }

        @Override
        public StatusSettings read(SettingsReader reader) {
            return StatusSettings.read(reader);
        }
    }

    static StatusSettings read(SettingsReader r) {
        return new StatusSettings(
                r.duration("interval", Duration.ofMillis(100)), r.duration("derp-map-interval", Duration.ofSeconds(1)));
    }
}
