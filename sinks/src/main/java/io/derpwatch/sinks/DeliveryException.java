package io.derpwatch.sinks;

/**
 * A batch could not be delivered. {@link #retryable()} says whether trying again later may succeed (the
 * backend is unreachable or overloaded) or not (the backend refused this batch).
 */
public final class DeliveryException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean retryable;

    public DeliveryException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    public DeliveryException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
