package io.derpwatch.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigOrigin;

/**
 * One named sink instance: {@code derpwatch.sinks.<name>}. {@link #config()} is the user's block merged over
 * {@code derpwatch.sink-types.<type>} and {@code derpwatch.sink-defaults}; the sink's provider reads its own
 * keys from it with {@link #reader(java.util.List)}.
 */
public record SinkSettings(String name, String type, boolean enabled, Config config, ConfigOrigin origin) {

    /** A sink whose problems are located at its config's own origin (tests, embedding). */
    public SinkSettings(String name, String type, boolean enabled, Config config) {
        this(name, type, enabled, config, config.origin());
    }

    /** The full config path of this sink, for messages. */
    public String path() {
        return "derpwatch.sinks." + name;
    }

    /**
     * Reads this sink's keys; a problem with a value the user did not write (a default from a
     * {@code reference.conf}, such as a missing required key) is located at the user's sink block instead.
     */
    public SettingsReader reader(java.util.List<ConfigProblem> problems) {
        return new SettingsReader(config, path(), problems, origin);
    }

    /** Never renders the config: it may hold credentials. */
    @Override
    public String toString() {
        return "SinkSettings[name=" + name + ", type=" + type + ", enabled=" + enabled + "]";
    }
}
