package io.derpwatch.agent.telemetry;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.MemoryMode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.MetricReader;

/**
 * A metric reader that collects only when asked ({@code run --once}): {@link #forceFlush()} collects and
 * exports once; {@link #shutdown()} exports nothing more, so a one-shot run prints each metric exactly once.
 */
final class OnDemandMetricReader implements MetricReader {
    private final MetricExporter exporter;
    private volatile CollectionRegistration registration = CollectionRegistration.noop();

    OnDemandMetricReader(MetricExporter exporter) {
        this.exporter = exporter;
    }

    @Override
    public void register(CollectionRegistration registration) {
        this.registration = registration;
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
        return exporter.getAggregationTemporality(instrumentType);
    }

    @Override
    public MemoryMode getMemoryMode() {
        return exporter.getMemoryMode();
    }

    @Override
    public CompletableResultCode forceFlush() {
        return exporter.export(registration.collectAllMetrics());
    }

    @Override
    public CompletableResultCode shutdown() {
        return exporter.shutdown();
    }
}
