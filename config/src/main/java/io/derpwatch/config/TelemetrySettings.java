package io.derpwatch.config;

import java.time.Duration;
import java.util.Map;

/** How signals are collected and labelled. */
public record TelemetrySettings(
        Duration exportInterval, Duration eventFlushInterval, Map<String, String> resourceAttributes) {
    public TelemetrySettings {
        resourceAttributes = Map.copyOf(resourceAttributes);
    }

    static TelemetrySettings read(SettingsReader r) {
        return new TelemetrySettings(
                r.duration("export-interval"), r.duration("event-flush-interval"), r.stringMap("resource-attributes"));
    }
}
