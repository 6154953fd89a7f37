package io.derpwatch.sinks;

import io.derpwatch.sinks.delivery.DeliveringSink;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.MemoryMode;
import io.opentelemetry.sdk.logs.data.LogRecordData;
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
 * that hand every batch to each sink. Every sink sits behind its own {@link DeliveringSink} (bounded queue, one
 * worker thread, retry with backoff, optional persistent queue), so the export calls return at once and a slow
 * or dead sink stalls neither the SDK nor the other sinks.
 */
public final class SinkSet {
    private final List<DeliveringSink> sinks;
    private final MetricExporter metrics;
    private final LogRecordExporter logs;

    private SinkSet(List<DeliveringSink> sinks) {
        this.sinks = List.copyOf(sinks);
        this.metrics = new FanOutMetricExporter(
                this.sinks.stream().map(Sink::metricExporter).toList());
        this.logs =
                new FanOutLogExporter(this.sinks.stream().map(Sink::logExporter).toList());
    }

    /** Opens every configured sink and starts its delivery worker. */
    public static SinkSet open(List<SinkCatalog.ConfiguredSink> configured, SinkContext context) {
        List<DeliveringSink> sinks = new ArrayList<>();
        try {
            for (SinkCatalog.ConfiguredSink c : configured) {
                sinks.add(DeliveringSink.start(c.factory().open(context), c.delivery()));
            }
        } catch (RuntimeException e) {
            sinks.forEach(DeliveringSink::stop);
            throw e;
        }
        return new SinkSet(sinks);
    }

    /** The open sinks (each a {@link DeliveringSink}; {@link DeliveringSink#inner()} is the sink itself). */
    public List<DeliveringSink> sinks() {
        return sinks;
    }

    /** The delivery counters of every sink, in configuration order. */
    public List<SinkStats> stats() {
        return sinks.stream().map(DeliveringSink::stats).toList();
    }

    public MetricExporter metricExporter() {
        return metrics;
    }

    public LogRecordExporter logExporter() {
        return logs;
    }

    /** Waits up to {@code timeout} for every sink to deliver (or drop) what it holds; true when all did. */
    public boolean flush(Duration timeout) {
        List<CompletableResultCode> results = new ArrayList<>();
        for (Sink s : sinks) {
            results.add(s.flush());
        }
        return CompletableResultCode.ofAll(results)
                .join(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .isSuccess();
    }

    /**
     * Lets every sink deliver what it holds for up to {@code timeout}, then stops them all: what a persistent
     * queue still holds stays on disk, what an in-memory queue holds is counted as dropped. True when every sink
     * emptied its queue in time. Call after the SDK providers have been shut down (their last export lands here).
     */
    public boolean shutdown(Duration timeout) {
        List<CompletableResultCode> results = new ArrayList<>();
        for (Sink s : sinks) {
            results.add(s.shutdown());
        }
        boolean drained = CompletableResultCode.ofAll(results)
                .join(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .isSuccess();
        sinks.forEach(DeliveringSink::stop);
        return drained;
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
            return CompletableResultCode.ofAll(
                    exporters.stream().map(MetricExporter::flush).toList());
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess(); // sinks are stopped by SinkSet.shutdown(timeout)
        }
    }

    /** Hands each log batch to every sink's exporter. */
    private static final class FanOutLogExporter implements LogRecordExporter {
        private final List<LogRecordExporter> exporters;

        FanOutLogExporter(List<LogRecordExporter> exporters) {
            this.exporters = exporters;
        }

        @Override
        public CompletableResultCode export(Collection<LogRecordData> logs) {
            List<CompletableResultCode> results = new ArrayList<>(exporters.size());
            for (LogRecordExporter e : exporters) {
                results.add(e.export(logs));
            }
            return CompletableResultCode.ofAll(results);
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofAll(
                    exporters.stream().map(LogRecordExporter::flush).toList());
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }
}
