package io.derpwatch.sinks;

import org.jspecify.annotations.Nullable;

/**
 * A batch could not be delivered. {@link #retryable()} says whether trying again later may succeed (the
 * backend is unreachable or overloaded) or not: then the batch is dropped with {@link #dropReason()} ({@code
 * rejected}: the backend refused it; {@code encoding_failed}: the sink could not encode it).
 */
public final class DeliveryException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean retryable;
    private final DropReason dropReason;

    public DeliveryException(String message, boolean retryable) {
        this(message, retryable, null);
    }

    public DeliveryException(String message, boolean retryable, @Nullable Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
        this.dropReason = DropReason.REJECTED;
    }

    private DeliveryException(String message, @Nullable Throwable cause, DropReason dropReason) {
        super(message, cause);
        this.retryable = false;
        this.dropReason = dropReason;
    }

    /** The sink could not encode the batch: not retried, dropped as {@code encoding_failed}. */
    public static DeliveryException unencodable(String message, Throwable cause) {
        return new DeliveryException(message, cause, DropReason.ENCODING_FAILED);
    }

    public boolean retryable() {
        return retryable;
    }

    /** Why the batch is dropped when it is not retried. */
    public DropReason dropReason() {
        return dropReason;
    }
}
