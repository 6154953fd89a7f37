package io.derpwatch.sinks;

import java.util.Collection;
import java.util.List;

/**
 * One export call's worth of data for one sink. A {@link PayloadSink} gets it encoded ({@link #payload()},
 * OTLP protobuf or JSON per the sink's {@link PayloadSink#encoding()}); other sinks get the SDK's data objects
 * ({@link #data()}). {@link #key()} is an optional partition key (Kafka {@code partition-by = node}).
 */
public record Batch(Signal signal, String key, byte[] payload, Collection<?> data) {
    public Batch {
        data = data == null ? List.of() : data;
    }

    public static Batch encoded(Signal signal, String key, byte[] payload) {
        return new Batch(signal, key, payload, null);
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
