package io.derpwatch.agent.log;

import io.derpwatch.config.SettingsReader;
import io.derpwatch.config.SettingsSection;
import java.util.function.Function;
import org.slf4j.event.Level;

/**
 * {@code derpwatch.log}: the level and format of the agent's own logs on stderr, applied by
 * {@link StderrLogging#configure} where neither the command line nor the environment chose.
 */
public record LogSettings(Level level, LogFormat format) {

    /** {@code derpwatch.log}, registered in the agent's META-INF/services/io.derpwatch.config.SettingsSection. */
    public static final class Section implements SettingsSection<LogSettings> {
        @Override
        public String key() {
            return "log";
        }

        @Override
        public LogSettings read(SettingsReader r) {
            return new LogSettings(
                    parsed(r, "level", LogLevel::parse, Level.INFO),
                    parsed(r, "format", LogFormat::parse, LogFormat.TEXT));
        }

        /** The value at {@code key} parsed; {@code fallback} (and one located problem) when it is not usable. */
        private static <T> T parsed(SettingsReader r, String key, Function<String, T> parse, T fallback) {
            int before = r.problems().size();
            String value = r.string(key);
            if (r.problems().size() > before) {
                return fallback; // missing, null or not a string: reported
            }
            try {
                return parse.apply(value);
            } catch (IllegalArgumentException e) {
                r.problem(key, e.getMessage());
                return fallback;
            }
        }
    }
}
