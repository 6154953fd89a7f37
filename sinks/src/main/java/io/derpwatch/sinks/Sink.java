package io.derpwatch.sinks;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.metrics.export.MetricExporter;

/**
 * One open sink instance: the OpenTelemetry exporters that deliver metrics and events to one backend.
 * Implementations must be safe to call from the SDK's export threads; they never call sources.
 */
public interface Sink {

    /** The instance name, {@code derpwatch.sinks.<name>}. */
    String name();

    MetricExporter metricExporter();

    LogRecordExporter logExporter();

    /** Delivers everything accepted so far, or fails. */
    default CompletableResultCode flush() {
        return CompletableResultCode.ofAll(
                java.util.List.of(metricExporter().flush(), logExporter().flush()));
    }

    /** Stops the sink; what could not be delivered is counted as dropped. */
    default CompletableResultCode shutdown() {
        return CompletableResultCode.ofAll(
                java.util.List.of(metricExporter().shutdown(), logExporter().shutdown()));
    }
}
