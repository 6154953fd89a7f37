package io.derpwatch.agent.logs;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.TextStyle;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Takes tailscaled's timestamp prefix off a log line and reads it as the line's time. The prefixes tailscaled's
 * logs come with:
 *
 * <ul>
 *   <li>Go's {@code log} package ({@code tailscaled} writing to stderr): {@code 2022/03/28 07:42:19 } (optionally
 *       with {@code .micros}), in the writer's local time, read in {@code zone};
 *   <li>Go's {@code time.Time.String()} (the logtail/filch form): {@code 2021-12-23 13:00:26.828410023 -0500 -0500: },
 *       which carries its own offset;
 *   <li>syslog / {@code journalctl -o short}: {@code Jun 29 16:13:42 host tailscaled[2036029]: }, which has no
 *       year: the year of {@code now} is taken, or the year before when that would put the line in the future;
 *   <li>none ({@code journalctl -o cat}, {@code logtap}): the line has no time.
 * </ul>
 */
public final class LogLineParser {
    private static final Pattern GO_LOG =
            Pattern.compile("^(\\d{4})/(\\d{2})/(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))? ");
    private static final Pattern GO_TIME =
            Pattern.compile("^(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?) ([+-]\\d{4})(?: [^ :]+)?: ");
    private static final Pattern SYSLOG = Pattern.compile(
            "^([A-Z][a-z]{2}) {1,2}(\\d{1,2}) (\\d{2}):(\\d{2}):(\\d{2}) \\S+ [^\\s:\\[]+(?:\\[\\d+\\])?: ");

    private final ZoneId zone;
    private final Instant now;

    /**
     * @param zone the zone of prefixes without an offset (the node's local zone)
     * @param now  the reference for the year of syslog prefixes
     */
    public LogLineParser(ZoneId zone, Instant now) {
        this.zone = zone;
        this.now = now;
    }

    public LogLine parse(String raw) {
        String line = stripEnd(raw);
        Matcher m = GO_LOG.matcher(line);
        if (m.find()) {
            try {
                LocalDateTime t = LocalDateTime.of(
                        Integer.parseInt(m.group(1)),
                        Integer.parseInt(m.group(2)),
                        Integer.parseInt(m.group(3)),
                        Integer.parseInt(m.group(4)),
                        Integer.parseInt(m.group(5)),
                        Integer.parseInt(m.group(6)),
                        nanos(m.group(7)));
                return new LogLine(t.atZone(zone).toInstant(), line.substring(m.end()), line);
            } catch (DateTimeException e) {
                return new LogLine(null, line, line); // looks like a prefix, is not a date: keep the line whole
            }
        }
        m = GO_TIME.matcher(line);
        if (m.find()) {
            try {
                OffsetDateTime t = OffsetDateTime.of(
                        LocalDateTime.parse(m.group(1).replace(' ', 'T')),
                        ZoneOffset.of(
                                m.group(2).substring(0, 3) + ":" + m.group(2).substring(3)));
                return new LogLine(t.toInstant(), line.substring(m.end()), line);
            } catch (DateTimeException e) {
                return new LogLine(null, line, line);
            }
        }
        m = SYSLOG.matcher(line);
        if (m.find()) {
            Month month = month(m.group(1));
            if (month != null) {
                try {
                    int year = now.atZone(zone).getYear();
                    LocalDateTime t = LocalDateTime.of(
                            year,
                            month,
                            Integer.parseInt(m.group(2)),
                            Integer.parseInt(m.group(3)),
                            Integer.parseInt(m.group(4)),
                            Integer.parseInt(m.group(5)));
                    Instant at = t.atZone(zone).toInstant();
                    if (at.isAfter(now.plusSeconds(86_400))) {
                        at = t.minusYears(1).atZone(zone).toInstant();
                    }
                    return new LogLine(at, line.substring(m.end()), line);
                } catch (DateTimeException e) {
                    return new LogLine(null, line, line);
                }
            }
        }
        return new LogLine(null, line, line);
    }

    private static int nanos(@Nullable String fraction) {
        if (fraction == null) {
            return 0;
        }
        StringBuilder s = new StringBuilder(fraction);
        while (s.length() < 9) {
            s.append('0');
        }
        return Integer.parseInt(s.toString());
    }

    private static @Nullable Month month(String abbreviation) {
        for (Month m : Month.values()) {
            if (m.getDisplayName(TextStyle.SHORT, Locale.ROOT).equals(abbreviation)) {
                return m;
            }
        }
        return null;
    }

    private static String stripEnd(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
            end--;
        }
        return s.substring(0, end);
    }
}
