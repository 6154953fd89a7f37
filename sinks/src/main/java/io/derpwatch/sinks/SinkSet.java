package io.derpwatch.sinks;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.MemoryMode;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The open sinks of one agent, presented to the OpenTelemetry SDK as one metric exporter and one log exporter
 * that hand every batch to each sink.
 */
public final class SinkSet {
    private final List<Sink> sinks;
    private final MetricExporter metrics;
    private final LogRecordExporter logs;

    private SinkSet(List<Sink> sinks) {
        this.sinks = List.copyOf(sinks);
        this.metrics = new FanOutMetricExporter(this.sinks.stream().map(Sink::metricExporter).toList());
        this.logs = LogRecordExporter.composite(this.sinks.stream().map(Sink::logExporter).toList());
    }

    /** Opens every configured sink. */
    public static SinkSet open(List<SinkCatalog.ConfiguredSink> configured, SinkContext context) {
        List<Sink> sinks = new ArrayList<>();
        for (SinkCatalog.ConfiguredSink c : configured) {
            sinks.add(c.factory().open(context));
        }
        return new SinkSet(sinks);
    }

    public List<Sink> sinks() {
        return sinks;
    }

    public MetricExporter metricExporter() {
        return metrics;
    }

    public LogRecordExporter logExporter() {
        return logs;
    }

    /** Flushes every sink and waits up to {@code timeout}; true when all delivered. */
    public boolean flush(Duration timeout) {
        List<CompletableResultCode> results = new ArrayList<>();
        for (Sink s : sinks) {
            results.add(s.flush());
        }
        return CompletableResultCode.ofAll(results).join(timeout.toMillis(), TimeUnit.MILLISECONDS).isSuccess();
    }

    /** Shuts every sink down, waiting up to {@code timeout}; true when all finished cleanly. */
    public boolean shutdown(Duration timeout) {
        List<CompletableResultCode> results = new ArrayList<>();
        for (Sink s : sinks) {
            results.add(s.shutdown());
        }
        return CompletableResultCode.ofAll(results).join(timeout.toMillis(), TimeUnit.MILLISECONDS).isSuccess();
    }

    /** Hands each metric batch to every sink's exporter; succeeds only when all of them do. */
    private static final class FanOutMetricExporter implements MetricExporter {
        private final List<MetricExporter> exporters;

        FanOutMetricExporter(List<MetricExporter> exporters) {
            this.exporters = exporters;
        }

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
            List<CompletableResultCode> results = new ArrayList<>(exporters.size());
            for (MetricExporter e : exporters) {
                results.add(e.export(metrics));
            }
            return CompletableResultCode.ofAll(results);
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofAll(exporters.stream().map(MetricExporter::flush).toList());
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofAll(exporters.stream().map(MetricExporter::shutdown).toList());
        }
    }
}
