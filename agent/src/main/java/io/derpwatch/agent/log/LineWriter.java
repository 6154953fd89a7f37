package io.derpwatch.agent.log;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.event.Level;

/** Formats one log event as a line (text or JSON) and writes it whole; throttles repeated third-party lines. */
final class LineWriter {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    private static final JsonFactory JSON = new JsonFactory();
    /** Bounds the throttle's memory: past this many kinds the table is cleared (a line may then repeat early). */
    private static final int MAX_KINDS = 1024;

    private final PrintStream out;
    private final Clock clock;
    private final Map<String, Repeat> repeats = new HashMap<>();

    LineWriter(PrintStream out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    private static final class Repeat {
        long lastWrittenMillis;
        long suppressed;
    }

    void write(
            Level level,
            String loggerName,
            boolean thirdParty,
            @Nullable String pattern,
            String message,
            @Nullable Throwable error) {
        long now = clock.millis();
        long suppressed = 0;
        if (thirdParty) {
            String kind = loggerName + '\u0000' + (pattern == null ? message : pattern);
            synchronized (repeats) {
                Repeat r = repeats.get(kind);
                if (r != null && now - r.lastWrittenMillis < StderrLogging.THIRD_PARTY_REPEAT.toMillis()) {
                    r.suppressed++;
                    return;
                }
                if (r == null) {
                    if (repeats.size() >= MAX_KINDS) {
                        repeats.clear();
                    }
                    r = new Repeat();
                    repeats.put(kind, r);
                }
                suppressed = r.suppressed;
                r.suppressed = 0;
                r.lastWrittenMillis = now;
            }
        }
        String line = StderrLogging.format() == LogFormat.JSON
                ? json(now, level, loggerName, message, error, suppressed)
                : text(now, level, loggerName, message, error, suppressed);
        synchronized (out) {
            out.print(line);
            out.flush();
        }
    }

    private static String text(
            long now, Level level, String loggerName, String message, @Nullable Throwable error, long suppressed) {
        StringBuilder b = new StringBuilder(96 + message.length());
        b.append(TIME.format(OffsetDateTime.ofInstant(Instant.ofEpochMilli(now), ZoneId.systemDefault())))
                .append(" [")
                .append(Thread.currentThread().getName())
                .append("] ")
                .append(level)
                .append(' ')
                .append(shortName(loggerName))
                .append(" - ")
                .append(message);
        if (suppressed > 0) {
            b.append(" (").append(suppressed).append(" similar lines suppressed)");
        }
        b.append(System.lineSeparator());
        if (error != null) {
            StringWriter trace = new StringWriter();
            error.printStackTrace(new PrintWriter(trace));
            b.append(trace);
        }
        return b.toString();
    }

    private static String json(
            long now, Level level, String loggerName, String message, @Nullable Throwable error, long suppressed) {
        StringWriter w = new StringWriter(128 + message.length());
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("time", Instant.ofEpochMilli(now).toString());
            g.writeStringField("level", level.toString());
            g.writeStringField("logger", loggerName);
            g.writeStringField("thread", Thread.currentThread().getName());
            g.writeStringField("message", message);
            if (suppressed > 0) {
                g.writeNumberField("suppressed", suppressed);
            }
            if (error != null) {
                g.writeStringField("error.type", error.getClass().getName());
                g.writeStringField("error.message", String.valueOf(error.getMessage()));
                StringWriter trace = new StringWriter();
                error.printStackTrace(new PrintWriter(trace));
                g.writeStringField("error.stack", trace.toString());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing to a StringWriter", e);
        }
        return w.append(System.lineSeparator()).toString();
    }

    /** {@code io.derpwatch.agent.Agent} → {@code Agent}. */
    private static String shortName(String loggerName) {
        int dot = loggerName.lastIndexOf('.');
        return dot < 0 ? loggerName : loggerName.substring(dot + 1);
    }
}
