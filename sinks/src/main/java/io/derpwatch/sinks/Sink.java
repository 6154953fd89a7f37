package io.derpwatch.sinks;

import java.util.Collection;
import org.jspecify.annotations.Nullable;

/**
 * One configured sink: delivers one {@link Batch} at a time to one backend. A sink knows nothing about the
 * OpenTelemetry SDK's exporter interfaces, queues or retries: the delivery wrapper in front of every sink (one
 * bounded queue, one supervised worker thread, retry with backoff) calls {@link #send} from that worker only,
 * never on an event loop or an SDK thread, so {@code send} may block (within the sink's own timeout).
 */
public interface Sink {

    /** The instance name, {@code derpwatch.sinks.<name>}. */
    String name();

    /**
     * How this sink wants its batches: OTLP bytes ({@link Batch#payload()}) or the SDK's data objects ({@link
     * Batch#data()}).
     */
    PayloadEncoding encoding();

    /** Partition key for a batch (null: none); computed when the batch is accepted. */
    default @Nullable String keyFor(Signal signal, Collection<?> data) {
        return null;
    }

    /**
     * Delivers one batch, or throws saying whether a retry may help ({@link DeliveryException#retryable()}).
     * Any other exception or error is a bug of the sink: the worker counts it, retries the batch a few times
     * and then drops it ({@code reason = sink_error}); it never stops delivering.
     */
    void send(Batch batch) throws DeliveryException;

    /** Releases connections; called once, after the last {@link #send}, with the shutdown grace running. */
    default void close() {}
}
