package io.derpwatch.sinks.testing;

import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.SinkSettings;
import io.derpwatch.sinks.Sink;
import io.derpwatch.sinks.SinkFactory;
import io.derpwatch.sinks.SinkProvider;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Test sink type {@code test-lines}: a plain {@link Sink} (like the stdout sink: SDK exporters, no payload) that
 * records "thread: signal items" per export, so tests can see the delivery wrapper in front of such sinks.
 */
public final class LinesSinkProvider implements SinkProvider {
    public static final List<String> LINES = new CopyOnWriteArrayList<>();

    @Override
    public String type() {
        return "test-lines";
    }

    @Override
    public SinkFactory configure(SinkSettings settings, List<ConfigProblem> problems) {
        return context -> new LinesSink(settings.name());
    }

    private record LinesSink(String name) implements Sink {
        @Override
        public MetricExporter metricExporter() {
            return new MetricExporter() {
                @Override
                public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
                    return AggregationTemporality.CUMULATIVE;
                }

                @Override
                public CompletableResultCode export(Collection<MetricData> metrics) {
                    LINES.add(Thread.currentThread().getName() + ": metrics " + metrics.size());
                    return CompletableResultCode.ofSuccess();
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

        @Override
        public LogRecordExporter logExporter() {
            return new LogRecordExporter() {
                @Override
                public CompletableResultCode export(Collection<LogRecordData> logs) {
                    LINES.add(Thread.currentThread().getName() + ": logs " + logs.size());
                    return CompletableResultCode.ofSuccess();
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
    }
}
