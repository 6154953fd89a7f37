package io.derpwatch.sinks.stdout;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;

/**
 * Encodes a batch as readable text for people: one line per data point ({@code metric NAME VALUE UNIT {attrs}})
 * and one line per event ({@code event NAME SEVERITY "body" {attrs}}), each starting with an ISO-8601 time.
 */
final class TextCodec {

    byte[] metrics(Collection<MetricData> metrics) {
        StringBuilder sb = new StringBuilder();
        for (MetricData m : metrics) {
            for (PointData p : m.getData().getPoints()) {
                sb.append(Instant.ofEpochSecond(0, p.getEpochNanos()))
                        .append(" metric ")
                        .append(m.getName())
                        .append(' ')
                        .append(value(p));
                if (!m.getUnit().isEmpty() && !"1".equals(m.getUnit())) {
                    sb.append(' ').append(m.getUnit());
                }
                appendAttributes(sb, p.getAttributes());
                sb.append('\n');
            }
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    byte[] logs(Collection<LogRecordData> logs) {
        StringBuilder sb = new StringBuilder();
        for (LogRecordData r : logs) {
            long nanos =
                    r.getTimestampEpochNanos() != 0 ? r.getTimestampEpochNanos() : r.getObservedTimestampEpochNanos();
            sb.append(Instant.ofEpochSecond(0, nanos))
                    .append(" event ")
                    .append(r.getEventName() == null ? "-" : r.getEventName())
                    .append(' ')
                    .append(r.getSeverity().name());
            String body = r.getBodyValue() == null ? "" : r.getBodyValue().asString();
            if (!body.isEmpty()) {
                sb.append(" \"")
                        .append(body.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"))
                        .append('"');
            }
            appendAttributes(sb, r.getAttributes());
            sb.append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String value(PointData p) {
        if (p instanceof LongPointData l) {
            return Long.toString(l.getValue());
        }
        if (p instanceof DoublePointData d) {
            double v = d.getValue();
            return v == Math.rint(v) && Math.abs(v) < 1e15
                    ? Long.toString((long) v)
                    : String.format(java.util.Locale.ROOT, "%.6g", v);
        }
        if (p instanceof HistogramPointData h) {
            return "count=" + h.getCount() + " sum=" + h.getSum();
        }
        return p.toString();
    }

    private static void appendAttributes(StringBuilder sb, Attributes attributes) {
        if (attributes.isEmpty()) {
            return;
        }
        sb.append(" {");
        boolean[] first = {true};
        attributes.forEach((k, v) -> {
            if (!first[0]) {
                sb.append(", ");
            }
            first[0] = false;
            sb.append(k.getKey()).append('=').append(v);
        });
        sb.append('}');
    }
}
