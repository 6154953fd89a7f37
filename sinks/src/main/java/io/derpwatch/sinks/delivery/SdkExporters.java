package io.derpwatch.sinks.delivery;

import io.derpwatch.sinks.Signal;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.MemoryMode;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import java.util.Collection;
import java.util.function.Supplier;

/**
 * The one adapter between the OpenTelemetry SDK and the sinks: the SDK's {@link MetricExporter} and {@link
 * LogRecordExporter} over a {@link Target} that takes a batch per export call. Sinks never implement SDK
 * interfaces; the SDK's own shutdown of these exporters does nothing (the sinks are stopped once, with the
 * agent's shutdown timeout).
 */
public final class SdkExporters {
    private SdkExporters() {}

    /** Where the exports go: each call one batch. */
    public interface Target {
        CompletableResultCode export(Signal signal, Collection<?> data);

        CompletableResultCode flush();
    }

    public static MetricExporter metrics(Target target) {
        return new Metrics(target);
    }

    public static LogRecordExporter logs(Target target) {
        return new Logs(target);
    }

    private record Metrics(Target target) implements MetricExporter {
        @Override
        public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
            return AggregationTemporality.CUMULATIVE;
        }

        @Override
        public MemoryMode getMemoryMode() {
            return MemoryMode.IMMUTABLE_DATA;
        }

        @Override
        public CompletableResultCode export(Collection<MetricData> metrics) {
            return guarded(() -> target.export(Signal.METRICS, metrics));
        }

        @Override
        public CompletableResultCode flush() {
            return target.flush();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    private record Logs(Target target) implements LogRecordExporter {
        @Override
        public CompletableResultCode export(Collection<LogRecordData> logs) {
            return guarded(() -> target.export(Signal.LOGS, logs));
        }

        @Override
        public CompletableResultCode flush() {
            return target.flush();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    /** An export never throws into the SDK's thread (the loop): a failure is a failed result. */
    private static CompletableResultCode guarded(Supplier<CompletableResultCode> export) {
        try {
            return export.get();
        } catch (RuntimeException e) {
            return CompletableResultCode.ofExceptionalFailure(e);
        }
    }
}
