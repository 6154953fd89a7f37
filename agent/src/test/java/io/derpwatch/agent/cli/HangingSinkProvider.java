package io.derpwatch.agent.cli;

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
import java.util.concurrent.CountDownLatch;

/**
 * Test sink type {@code test-hang-on-shutdown}: accepts everything, and its {@code shutdown()} never returns (it
 * waits on a latch nobody counts down, ignoring interrupts), like a backend client stuck in a kernel call. Only a
 * hard shutdown deadline gets a process holding it to exit.
 */
public final class HangingSinkProvider implements SinkProvider {
    @Override
    public String type() {
        return "test-hang-on-shutdown";
    }

    @Override
    public SinkFactory configure(SinkSettings settings, List<ConfigProblem> problems) {
        return context -> new HangingSink(settings.name());
    }

    private record HangingSink(String name) implements Sink {
        private static final CountDownLatch NEVER = new CountDownLatch(1);

        @Override
        public CompletableResultCode shutdown() {
            while (true) {
                try {
                    NEVER.await();
                } catch (InterruptedException e) {
                    // stuck means stuck
                }
            }
        }

        @Override
        public MetricExporter metricExporter() {
            return new MetricExporter() {
                @Override
                public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
                    return AggregationTemporality.CUMULATIVE;
                }

                @Override
                public CompletableResultCode export(Collection<MetricData> metrics) {
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode flush() {
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode shutdown() {
                    return HangingSink.this.shutdown();
                }
            };
        }

        @Override
        public LogRecordExporter logExporter() {
            return new LogRecordExporter() {
                @Override
                public CompletableResultCode export(Collection<LogRecordData> logs) {
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode flush() {
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode shutdown() {
                    return HangingSink.this.shutdown();
                }
            };
        }
    }
}
