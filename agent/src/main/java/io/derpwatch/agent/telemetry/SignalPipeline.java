package io.derpwatch.agent.telemetry;

import io.derpwatch.config.TelemetrySettings;
import io.derpwatch.sinks.SinkSet;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.View;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The OpenTelemetry SDK side of the agent: one meter provider (read periodically) and one logger provider
 * (events, batched), both exporting to the {@link SinkSet}. Instruments read state at collection time.
 */
public final class SignalPipeline implements AutoCloseable {
    private final SdkMeterProvider meterProvider;
    private final SdkLoggerProvider loggerProvider;
    private final Telemetry telemetry;

    /**
     * @param periodic true to export metrics every {@code export-interval}; false to export only on
     *                 {@link #flush(Duration)} (one-shot runs)
     */
    public SignalPipeline(Resource resource, TelemetrySettings settings, SinkSet sinks, boolean periodic) {
        MetricReader reader = periodic
                ? PeriodicMetricReader.builder(sinks.metricExporter()).setInterval(settings.exportInterval()).build()
                : new OnDemandMetricReader(sinks.metricExporter());
        this.meterProvider = SdkMeterProvider.builder()
                .setResource(resource)
                .registerMetricReader(reader)
                // the SDK's own otel.sdk.* self-metrics are noise next to derpwatch.* (docs/telemetry.md)
                .registerView(InstrumentSelector.builder().setName("otel.sdk.*").build(),
                        View.builder().setAggregation(Aggregation.drop()).build())
                .build();
        this.loggerProvider = SdkLoggerProvider.builder()
                .setResource(resource)
                .addLogRecordProcessor(BatchLogRecordProcessor.builder(sinks.logExporter())
                        .setScheduleDelay(settings.eventFlushInterval())
                        .build())
                .build();
        this.telemetry = new Telemetry(
                meterProvider.meterBuilder(TelemetryNames.INSTRUMENTATION_SCOPE)
                        .setInstrumentationVersion(ResourceFactory.version()).build(),
                new EventEmitter(loggerProvider.loggerBuilder(TelemetryNames.INSTRUMENTATION_SCOPE)
                        .setInstrumentationVersion(ResourceFactory.version()).build()));
    }

    public Telemetry telemetry() {
        return telemetry;
    }

    /** Collects every metric now and hands metrics and pending events to the sinks; true when all succeeded. */
    public boolean flush(Duration timeout) {
        CompletableResultCode events = loggerProvider.forceFlush();
        CompletableResultCode metrics = meterProvider.forceFlush();
        return CompletableResultCode.ofAll(List.of(events, metrics))
                .join(timeout.toMillis(), TimeUnit.MILLISECONDS).isSuccess();
    }

    /** Exports what is pending one last time and shuts the exporters down. */
    public boolean shutdown(Duration timeout) {
        CompletableResultCode events = loggerProvider.shutdown();
        CompletableResultCode metrics = meterProvider.shutdown();
        return CompletableResultCode.ofAll(List.of(events, metrics))
                .join(timeout.toMillis(), TimeUnit.MILLISECONDS).isSuccess();
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(5));
    }
}
