package io.derpwatch.sinks.stdout;

import io.opentelemetry.exporter.internal.otlp.logs.LogsRequestMarshaler;
import io.opentelemetry.exporter.internal.otlp.metrics.MetricsRequestMarshaler;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Collection;

/**
 * Encodes a batch as one line of OTLP JSON ({@code {"resourceMetrics":[...]}} / {@code {"resourceLogs":[...]}}),
 * the form the OpenTelemetry Collector's file exporter writes.
 *
 * <p>The OpenTelemetry stdout OTLP exporter module is not served at 1.68.0, so this is the one class that uses
 * the SDK's internal marshalers ({@code io.opentelemetry.exporter.internal}); a golden test pins its output.
 */
final class OtlpJsonCodec {

    byte[] metrics(Collection<MetricData> metrics) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        MetricsRequestMarshaler.create(metrics).writeJsonTo(out);
        out.write('\n');
        return out.toByteArray();
    }

    byte[] logs(Collection<LogRecordData> logs) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        LogsRequestMarshaler.create(logs).writeJsonTo(out);
        out.write('\n');
        return out.toByteArray();
    }
}
