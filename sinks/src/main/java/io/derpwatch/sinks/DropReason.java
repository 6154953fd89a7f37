package io.derpwatch.sinks;

import java.util.Locale;

/** Why a sink gave a batch up; the value of the {@code reason} attribute of {@code derpwatch.sink.items.dropped}. */
public enum DropReason {
    /** The queue was full (max-batches or max-bytes); the oldest (or, if configured, the newest) batch went. */
    QUEUE_FULL,
    /** The backend refused the batch with a non-retryable error (e.g. HTTP 400, gRPC INVALID_ARGUMENT). */
    REJECTED,
    /** The backend kept failing with retryable errors for longer than {@code retry.max-elapsed}. */
    RETRY_EXHAUSTED,
    /** The batch could not be encoded (a bug; reported, not retried). */
    ENCODING_FAILED,
    /** The agent stopped with the batch still in the in-memory queue (a persistent queue keeps it instead). */
    SHUTDOWN,
    /** The persistent queue could not store the batch (disk full, I/O error). */
    QUEUE_IO_ERROR,
    /** A persistent queue file turned out corrupt while reading; the batches it still held are counted here. */
    QUEUE_CORRUPT;

    /** The attribute value: lower snake case, e.g. {@code queue_full}. */
    public String attributeValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
