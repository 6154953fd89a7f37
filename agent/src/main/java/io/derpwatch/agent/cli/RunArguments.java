package io.derpwatch.agent.cli;

import io.derpwatch.agent.log.LogFormat;
import io.derpwatch.agent.log.LogLevel;
import io.derpwatch.agent.log.StderrLogging;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.slf4j.event.Level;

/**
 * {@code derpwatch run} with plain arguments, read without picocli: building picocli's model of every command
 * (reflection over all of them; its classes are class-file version 49, which class-data sharing never archives)
 * costs a third of the start under {@code -Xint}. Only the forms that picocli reads the same way are taken here:
 * {@code [--log-level L] [--log-format F] run [--once] [-c|--config FILE] [--log-level L] [--log-format F]},
 * each option at most once, {@code --name value} or {@code --name=value}, every value valid. Anything else
 * ({@code --help}, {@code @argfiles}, {@code --}, an unknown or repeated option, a value that starts with
 * {@code -} or does not parse) is left to picocli, so its behaviour and messages stay the only ones.
 */
record RunArguments(
        @Nullable Path config,
        boolean once,
        @Nullable Level level,
        @Nullable LogFormat format) {

    /** The arguments of a plain {@code run}, or null when picocli must read them. */
    static @Nullable RunArguments plain(String[] args) {
        boolean seenRun = false;
        boolean once = false;
        String config = null;
        String level = null;
        String format = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!seenRun && arg.equals("run")) {
                seenRun = true;
                continue;
            }
            if (seenRun && arg.equals("--once")) {
                if (once) {
                    return null;
                }
                once = true;
                continue;
            }
            String name = arg;
            String value;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                return null;
            }
            if (!plainValue(value)) {
                return null;
            }
            switch (name) {
                case "-c", "--config" -> {
                    if (!seenRun || config != null) {
                        return null;
                    }
                    config = value;
                }
                case "--log-level" -> {
                    if (level != null) {
                        return null;
                    }
                    level = value;
                }
                case "--log-format" -> {
                    if (format != null) {
                        return null;
                    }
                    format = value;
                }
                default -> {
                    return null;
                }
            }
        }
        if (!seenRun) {
            return null;
        }
        try {
            return new RunArguments(
                    config == null ? null : Path.of(config),
                    once,
                    level == null ? null : LogLevel.parse(level),
                    format == null ? null : LogFormat.parse(format));
        } catch (IllegalArgumentException e) { // InvalidPathException included
            return null; // picocli says what is wrong with it
        }
    }

    /** What picocli would hand to the parser as a value: not empty, not option-like, not an argument file. */
    private static boolean plainValue(String value) {
        return !value.isEmpty() && !value.startsWith("-") && !value.startsWith("@");
    }

    /** Runs the command as picocli would: the log choices first, an unexpected exception printed, exit 1. */
    int execute() {
        if (level != null) {
            StderrLogging.chooseLevel(level);
        }
        if (format != null) {
            StderrLogging.chooseFormat(format);
        }
        RunCommand command = new RunCommand();
        command.config = new ConfigOptions();
        command.config.file = config;
        command.once = once;
        try {
            return command.call();
        } catch (Exception e) {
            e.printStackTrace(System.err);
            System.err.flush();
            return ExitCodes.FAILED;
        }
    }
}
