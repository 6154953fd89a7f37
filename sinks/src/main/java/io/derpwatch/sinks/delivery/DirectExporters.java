package io.derpwatch.sinks.delivery;

import io.derpwatch.sinks.Batch;
import io.derpwatch.sinks.DeliveryException;
import io.derpwatch.sinks.PayloadSink;
import io.derpwatch.sinks.Signal;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import java.io.IOException;
import java.util.Collection;

/** Synchronous exporters over a {@link PayloadSink}: no queue, no retry (what the benchmark compares against). */
public final class DirectExporters {
    private DirectExporters() {}

    public static MetricExporter metrics(PayloadSink sink) {
        return new MetricExporter() {
            @Override
            public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
                return AggregationTemporality.CUMULATIVE;
            }

            @Override
            public CompletableResultCode export(Collection<MetricData> metrics) {
                return send(sink, Signal.METRICS, metrics);
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        };
    }

    public static LogRecordExporter logs(PayloadSink sink) {
        return new LogRecordExporter() {
            @Override
            public CompletableResultCode export(Collection<LogRecordData> logs) {
                return send(sink, Signal.LOGS, logs);
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        };
    }

    private static CompletableResultCode send(PayloadSink sink, Signal signal, Collection<?> data) {
        try {
            byte[] payload = OtlpEncoding.encode(signal, data, sink.encoding());
            sink.send(Batch.encoded(signal, sink.keyFor(signal, data), payload));
            return CompletableResultCode.ofSuccess();
        } catch (IOException | DeliveryException e) {
            return CompletableResultCode.ofExceptionalFailure(e);
        }
    }
}
