package io.derpwatch.agent.logs;

import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsReader;
import io.derpwatch.config.SettingsSection;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Set;

/** {@code derpwatch.logs.*} (reference.conf explains each default). */
public record LogsSettings(
        String source,
        Path file,
        boolean fromEnd,
        ZoneId zone,
        int maxLineLength,
        Duration pollInterval,
        Journald journald,
        Logtap logtap) {

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

    /**
     * {@code logtap-max-record-size}, {@code logtap-backoff}, {@code logtap-max-backoff}.
     *
     * @param maxRecordSize the longest record read from {@code /localapi/v0/logtap}; a longer one is skipped
     */
    public record Logtap(long maxRecordSize, Duration backoff, Duration maxBackoff) {}

    /** {@code derpwatch.logs}, read and checked when the configuration loads; a bad value quotes its line. */
    public static LogsSettings read(DerpwatchSettings settings) {
        return settings.section(Section.class);
    }

    /** Listed in META-INF/services/io.derpwatch.config.SettingsSection. */
    public static final class Section implements SettingsSection<LogsSettings> {
        @Override
        public String key() {
            return "logs";
        }

        @Override
        public LogsSettings read(SettingsReader r) {
            String zoneName = r.string("zone");
            ZoneId zone = ZoneId.systemDefault();
            if (!zoneName.isEmpty()) {
                try {
                    zone = ZoneId.of(zoneName);
                } catch (RuntimeException e) {
                    r.problem("zone", "not a time zone: " + zoneName);
                }
            }
            return new LogsSettings(
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
                            r.duration("journald-max-backoff")),
                    new Logtap(
                            r.bytes("logtap-max-record-size", 64),
                            r.duration("logtap-backoff"),
                            r.duration("logtap-max-backoff")));
        }
    }
}
