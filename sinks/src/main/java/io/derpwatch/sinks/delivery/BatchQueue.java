package io.derpwatch.sinks.delivery;

import io.derpwatch.sinks.Batch;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/** The waiting batches of one sink, oldest first. Not thread-safe: {@link SinkQueue} holds its lock. */
interface BatchQueue {

    /** Appends a batch accepted at {@code acceptedAtMillis} (wall clock). */
    void add(Batch batch, long acceptedAtMillis) throws IOException;

    /** The oldest batch, or null when empty. */
    @Nullable
    Batch peek() throws IOException;

    /** When the oldest batch was accepted (wall clock millis), or -1 when the queue is empty. */
    long headAcceptedAtMillis() throws IOException;

    void removeHead() throws IOException;

    int size();

    long bytes();

    /** Most bytes this queue may hold. */
    long maxBytes();

    /** Drops everything (after corruption); returns how many batches were lost. */
    int discardAll();

    void close();
}
