package io.derpwatch.agent.logs;

import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsException;
import io.derpwatch.config.SettingsReader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code derpwatch.logs.*} (reference.conf explains each default). */
public record LogsSettings(
        String source,
        Path file,
        boolean fromEnd,
        ZoneId zone,
        int maxLineLength,
        Duration pollInterval,
        Journald journald) {

    /**
     * {@code journald-unit}, {@code journald-command}, {@code journald-backoff}, {@code journald-max-backoff}.
     *
     * @param command the journalctl to run: a name looked up on {@code PATH}, or a path
     */
    public record Journald(String unit, String command, Duration backoff, Duration maxBackoff) {
        /** The child process's command line: {@code <command> -u <unit> -f -o cat}. */
        public java.util.List<String> commandLine() {
            return java.util.List.of(command, "-u", unit, "-f", "-o", "cat");
        }
    }

    /** Reads the block; a bad value is an {@link IllegalArgumentException} quoting it. */
    public static LogsSettings read(DerpwatchSettings settings) {
        List<ConfigProblem> problems = new ArrayList<>();
        SettingsReader r = settings.reader("logs", problems);
        String zoneName = r.string("zone");
        ZoneId zone = ZoneId.systemDefault();
        if (!zoneName.isEmpty()) {
            try {
                zone = ZoneId.of(zoneName);
            } catch (RuntimeException e) {
                r.problem("zone", "not a time zone: " + zoneName);
            }
        }
        LogsSettings out = new LogsSettings(
                r.oneOf("source", Set.of("none", "file", "journald", "logtap")),
                Path.of(r.string("file")),
                r.bool("from-end"),
                zone,
                (int) Math.min(Integer.MAX_VALUE, r.bytes("max-line-length", 80)),
                r.duration("poll-interval"),
                new Journald(
                        r.string("journald-unit"),
                        r.string("journald-command"),
                        r.duration("journald-backoff"),
                        r.duration("journald-max-backoff")));
        try {
            r.throwIfProblems();
        } catch (SettingsException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return out;
    }
}
