package io.derpwatch.agent.logs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** The two layouts {@code derpwatch logs} prints a matched line in. */
public final class LogMatchFormats {
    private static final JsonFactory JSON = new JsonFactory();

    private LogMatchFormats() {}

    /**
     * {@code {"line": N, "time": "2022-03-28T07:42:19Z" or null, "signature": ..., "severity": ...,
     * "attributes": {...}, "text": the whole line}} on one line.
     */
    public static String json(long lineNumber, LogMatch m) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("line", lineNumber);
            if (m.time() == null) {
                g.writeNullField("time");
            } else {
                g.writeStringField("time", m.time().toString());
            }
            g.writeStringField("signature", m.signature());
            g.writeStringField("severity", m.severity().wireName());
            g.writeObjectFieldStart("attributes");
            for (Map.Entry<String, Object> a : m.attributes().entrySet()) {
                g.writeFieldName(a.getKey());
                writeValue(g, a.getValue());
            }
            g.writeEndObject();
            g.writeStringField("text", m.line());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** {@code 12 2022-03-28T08:11:51Z error derp_home_unreachable tailscale.health.warnable=overall ...}. */
    public static String text(long lineNumber, LogMatch m) {
        StringBuilder b = new StringBuilder();
        b.append(lineNumber)
                .append(' ')
                .append(m.time() == null ? "-" : m.time().toString())
                .append(' ')
                .append(String.format("%-5s", m.severity().wireName()))
                .append(' ')
                .append(m.signature());
        for (Map.Entry<String, Object> a : m.attributes().entrySet()) {
            b.append(' ').append(a.getKey()).append('=');
            Object v = a.getValue();
            String s = v instanceof List<?> l
                    ? String.join(",", l.stream().map(String::valueOf).toList())
                    : v.toString();
            b.append(s.indexOf(' ') >= 0 || s.isEmpty() ? quote(s) : s);
        }
        return b.toString();
    }

    private static void writeValue(JsonGenerator g, Object v) throws IOException {
        if (v instanceof Long l) {
            g.writeNumber(l);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof List<?> list) {
            g.writeStartArray();
            for (Object o : list) {
                g.writeString(String.valueOf(o));
            }
            g.writeEndArray();
        } else {
            g.writeString(String.valueOf(v));
        }
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
