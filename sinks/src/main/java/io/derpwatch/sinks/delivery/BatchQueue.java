package io.derpwatch.sinks.delivery;

import io.derpwatch.sinks.Batch;
import java.io.IOException;

/** The waiting batches of one sink, oldest first. Not thread-safe: {@link DeliveringSink} holds its lock. */
interface BatchQueue {

    void add(Batch batch) throws IOException;

    /** The oldest batch, or null when empty. */
    Batch peek() throws IOException;

    void removeHead() throws IOException;

    int size();

    long bytes();

    /** Most bytes this queue may hold. */
    long maxBytes();

    /** Drops everything (after corruption); returns how many batches were lost. */
    int discardAll();

    void close();
}
