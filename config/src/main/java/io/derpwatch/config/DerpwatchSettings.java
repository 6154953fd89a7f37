package io.derpwatch.config;

import com.typesafe.config.Config;
import java.util.List;

/** The whole validated configuration of one agent. */
public record DerpwatchSettings(
        LocalApiSettings localApi,
        StatusSettings status,
        NetcheckSettings netcheck,
        TelemetrySettings telemetry,
        AdminSettings admin,
        ShutdownSettings shutdown,
        List<SinkSettings> sinks,
        Config config) {
    public DerpwatchSettings {
        sinks = List.copyOf(sinks);
    }

    /** The sinks that are switched on. */
    public List<SinkSettings> enabledSinks() {
        return sinks.stream().filter(SinkSettings::enabled).toList();
    }

    /** The resolved {@code derpwatch} subtree, for modules that read their own section. */
    public SettingsReader reader(String section, List<ConfigProblem> problems) {
        return new SettingsReader(config.getConfig(section), "derpwatch." + section, problems);
    }

    @Override
    public String toString() {
        return "DerpwatchSettings[localApi=" + localApi + ", status=" + status + ", netcheck=" + netcheck
                + ", telemetry=" + telemetry + ", admin=" + admin + ", shutdown=" + shutdown + ", sinks=" + sinks + "]";
    }
}
