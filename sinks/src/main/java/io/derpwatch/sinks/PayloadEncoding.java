package io.derpwatch.sinks;

/** How a {@link PayloadSink} wants its batches encoded. */
public enum PayloadEncoding {
    /** One binary {@code ExportMetricsServiceRequest} / {@code ExportLogsServiceRequest}. */
    OTLP_PROTO,
    /** The same request in OTLP/JSON. */
    OTLP_JSON
}
