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
    /**
     * A persistent queue file turned out corrupt; the batches that could not be salvaged are counted here (an
     * estimate from the file's header where the damage hides the exact number).
     */
    QUEUE_CORRUPT,
    /**
     * The sink failed on this batch with an unexpected exception or error (a bug, e.g. an OutOfMemoryError while
     * encoding an oversized batch) on every one of {@code RetryPolicy.SINK_ERROR_ATTEMPTS} tries; dropped so that
     * one batch cannot stop the delivery of the others.
     */
    SINK_ERROR;

    /** The attribute value: lower snake case, e.g. {@code queue_full}. */
    public String attributeValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
