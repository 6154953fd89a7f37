package io.derpwatch.sinks.stdout;

import io.derpwatch.sinks.Sink;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.MemoryMode;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every batch to standard output, one OTLP JSON object per line ({@code format = otlp-json}) or one
 * readable line per data point / event ({@code format = text}). A write error on the stream fails the export.
 */
final class StdoutSink implements Sink {
    private static final Logger LOG = LoggerFactory.getLogger(StdoutSink.class);

    private final String name;
    private final StdoutSettings settings;
    private final PrintStream out;
    private final OtlpJsonCodec json = new OtlpJsonCodec();
    private final TextCodec text = new TextCodec();
    private final MetricExporter metrics = new Metrics();
    private final LogRecordExporter logs = new Logs();

    StdoutSink(String name, StdoutSettings settings, PrintStream out) {
        this.name = name;
        this.settings = settings;
        this.out = out;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public MetricExporter metricExporter() {
        return metrics;
    }

    @Override
    public LogRecordExporter logExporter() {
        return logs;
    }

    /** Encodes a batch in the configured format. */
    @FunctionalInterface
    private interface Encoding {
        byte[] encode() throws IOException;
    }

    /** An empty batch writes nothing; an encoding failure fails the export and is logged. */
    private CompletableResultCode encodeAndWrite(int items, String what, Encoding encoding) {
        if (items == 0) {
            return CompletableResultCode.ofSuccess();
        }
        try {
            return write(encoding.encode());
        } catch (IOException | RuntimeException e) {
            LOG.warn("sink {}: cannot encode {} {}: {}", name, items, what, e.toString());
            return CompletableResultCode.ofExceptionalFailure(e);
        }
    }

    private CompletableResultCode write(byte[] bytes) {
        if (bytes.length == 0) {
            return CompletableResultCode.ofSuccess();
        }
        synchronized (out) {
            out.write(bytes, 0, bytes.length);
            out.flush();
            if (out.checkError()) {
                LOG.warn("sink {}: writing to standard output failed", name);
                return CompletableResultCode.ofFailure();
            }
        }
        return CompletableResultCode.ofSuccess();
    }

    private final class Metrics implements MetricExporter {
        @Override
        public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
            return AggregationTemporality.CUMULATIVE;
        }

        @Override
        public MemoryMode getMemoryMode() {
            return MemoryMode.IMMUTABLE_DATA;
        }

        @Override
        public CompletableResultCode export(Collection<MetricData> batch) {
            return encodeAndWrite(
                    batch.size(),
                    "metrics",
                    () -> settings.format() == StdoutSettings.Format.TEXT ? text.metrics(batch) : json.metrics(batch));
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    private final class Logs implements LogRecordExporter {
        @Override
        public CompletableResultCode export(Collection<LogRecordData> batch) {
            return encodeAndWrite(
                    batch.size(),
                    "events",
                    () -> settings.format() == StdoutSettings.Format.TEXT ? text.logs(batch) : json.logs(batch));
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }
}
