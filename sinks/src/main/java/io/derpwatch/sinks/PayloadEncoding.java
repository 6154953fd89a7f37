package io.derpwatch.sinks;

/** How a {@link Sink} wants its batches. */
public enum PayloadEncoding {
    /** One binary {@code ExportMetricsServiceRequest} / {@code ExportLogsServiceRequest}. */
    OTLP_PROTO,
    /** The same request in OTLP/JSON. */
    OTLP_JSON,
    /**
     * No encoding: the sink gets the SDK's data objects ({@link Batch#data()}) and encodes them itself (the
     * stdout sink's text format). Such batches cannot be kept in a persistent queue.
     */
    SDK_DATA
}
