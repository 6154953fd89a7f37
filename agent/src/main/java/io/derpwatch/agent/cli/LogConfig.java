package io.derpwatch.agent.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.derpwatch.agent.log.LogFormat;
import io.derpwatch.agent.log.LogLevel;
import io.derpwatch.agent.log.StderrLogging;
import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.SettingsException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.event.Level;

/** Reads {@code derpwatch.log} (level, format) and applies it where the command line and environment did not choose. */
final class LogConfig {
    private LogConfig() {}

    /** @param derpwatch the resolved {@code derpwatch} subtree */
    static void apply(Config derpwatch) throws SettingsException {
        List<ConfigProblem> problems = new ArrayList<>();
        Level level = Level.INFO;
        LogFormat format = LogFormat.TEXT;
        try {
            level = LogLevel.parse(derpwatch.getString("log.level"));
        } catch (IllegalArgumentException | ConfigException e) {
            problems.add(ConfigProblem.at(derpwatch.getValue("log.level").origin(), "derpwatch.log.level", message(e)));
        }
        try {
            format = LogFormat.parse(derpwatch.getString("log.format"));
        } catch (IllegalArgumentException | ConfigException e) {
            problems.add(
                    ConfigProblem.at(derpwatch.getValue("log.format").origin(), "derpwatch.log.format", message(e)));
        }
        if (!problems.isEmpty()) {
            throw new SettingsException(problems);
        }
        StderrLogging.configure(level, format);
    }

    private static String message(RuntimeException e) {
        return e instanceof ConfigException ? "expected a string" : e.getMessage();
    }
}
