package io.derpwatch.sinks.delivery;

import io.derpwatch.sinks.PayloadEncoding;
import io.derpwatch.sinks.Signal;
import io.opentelemetry.exporter.internal.marshal.Marshaler;
import io.opentelemetry.exporter.internal.otlp.logs.LogsRequestMarshaler;
import io.opentelemetry.exporter.internal.otlp.metrics.MetricsRequestMarshaler;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Collection;

/**
 * Encodes SDK data as OTLP requests. The only place that uses the SDK's internal marshalers
 * ({@code io.opentelemetry.exporter.internal.otlp}); the receiver tests decode what it writes with
 * {@code opentelemetry-proto}, so a change in those internals fails a test.
 */
public final class OtlpEncoding {
    private OtlpEncoding() {}

    @SuppressWarnings("unchecked")
    public static byte[] encode(Signal signal, Collection<?> data, PayloadEncoding encoding) throws IOException {
        Marshaler marshaler = switch (signal) {
            case METRICS -> MetricsRequestMarshaler.create((Collection<MetricData>) data);
            case LOGS -> LogsRequestMarshaler.create((Collection<LogRecordData>) data);
        };
        if (encoding == PayloadEncoding.OTLP_PROTO) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(marshaler.getBinarySerializedSize());
            marshaler.writeBinaryTo(out);
            return out.toByteArray();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        marshaler.writeJsonTo(out);
        return out.toByteArray();
    }
}
