package io.derpwatch.sinks;

import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One export call's worth of data for one sink. A sink whose {@link Sink#encoding()} is OTLP gets it encoded
 * ({@link #payload()}); a {@link PayloadEncoding#SDK_DATA} sink gets the SDK's data objects ({@link #data()}).
 * {@link #key()} is an optional partition key (Kafka {@code partition-by = node}).
 */
public record Batch(Signal signal, @Nullable String key, byte @Nullable [] payload, Collection<?> data) {
    public Batch {
        data = data == null ? List.of() : data;
    }

    public static Batch encoded(Signal signal, @Nullable String key, byte[] payload) {
        return new Batch(signal, key, payload, List.of());
    }

    /** Size counted against {@code queue.max-bytes}. */
    public long size() {
        return payload == null ? 0 : payload.length;
    }

    @Override
    public String toString() {
        return "Batch[" + signal + ", " + (payload == null ? data.size() + " items" : payload.length + " bytes") + "]";
    }
}
