package io.derpwatch.config;

import com.typesafe.config.Config;
import java.util.List;

/**
 * One named sink instance: {@code derpwatch.sinks.<name>}. {@link #config()} is the user's block merged over
 * {@code derpwatch.sink-types.<type>} and {@code derpwatch.sink-defaults}; the sink's provider reads its own
 * keys from it with {@link #reader(List)}.
 *
 * @param locator where problems are located: a value the user did not write (a default, such as a missing
 *     required key) or a merged one is reported at the user's line for it, else at the user's sink block
 */
public record SinkSettings(String name, String type, boolean enabled, Config config, ConfigLocator locator) {

    /** A sink whose problems are located at its config's own origins (tests, embedding). */
    public SinkSettings(String name, String type, boolean enabled, Config config) {
        this(name, type, enabled, config, ConfigLocator.NONE);
    }

    /** The full config path of this sink, for messages. */
    public String path() {
        return "derpwatch.sinks." + name;
    }

    /** Reads this sink's keys, problems located where the user can fix them. */
    public SettingsReader reader(List<ConfigProblem> problems) {
        return new SettingsReader(config, path(), problems, locator);
    }

    /** Never renders the config: it may hold credentials. */
    @Override
    public String toString() {
        return "SinkSettings[name=" + name + ", type=" + type + ", enabled=" + enabled + "]";
    }
}
