package io.derpwatch.config;

import java.time.Duration;
import java.util.Map;

/** How signals are collected and labelled. */
public record TelemetrySettings(
        Duration exportInterval, Duration eventFlushInterval, Map<String, String> resourceAttributes) {
    public TelemetrySettings {
        resourceAttributes = Map.copyOf(resourceAttributes);
    }

    /** {@code derpwatch.telemetry}, registered in META-INF/services/io.derpwatch.config.SettingsSection. */
    public static final class Section implements SettingsSection<TelemetrySettings> {
        @Override
        public String key() {
            return "telemetry";
        }

        @Override
        public TelemetrySettings read(SettingsReader reader) {
            return TelemetrySettings.read(reader);
        }
    }

    static TelemetrySettings read(SettingsReader r) {
        return new TelemetrySettings(
                r.duration("export-interval", Duration.ofMillis(100)),
                r.duration("event-flush-interval", Duration.ofMillis(100)),
                r.stringMap("resource-attributes"));
    }
}
