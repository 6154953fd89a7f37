package io.derpwatch.config;

import com.typesafe.config.Config;

/**
 * One named sink instance: {@code derpwatch.sinks.<name>}. {@link #config()} is the user's block merged over
 * {@code derpwatch.sink-types.<type>} and {@code derpwatch.sink-defaults}; the sink's provider reads its own
 * keys from it with {@link #reader(java.util.List)}.
 */
public record SinkSettings(String name, String type, boolean enabled, Config config) {

    /** The full config path of this sink, for messages. */
    public String path() {
        return "derpwatch.sinks." + name;
    }

    public SettingsReader reader(java.util.List<ConfigProblem> problems) {
        return new SettingsReader(config, path(), problems);
    }

    /** Never renders the config: it may hold credentials. */
    @Override
    public String toString() {
        return "SinkSettings[name=" + name + ", type=" + type + ", enabled=" + enabled + "]";
    }
}
