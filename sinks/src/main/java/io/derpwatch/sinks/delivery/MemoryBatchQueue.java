package io.derpwatch.sinks.delivery;

import io.derpwatch.sinks.Batch;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;

/** Batches kept on the heap; lost if the process dies (counted as dropped on an orderly shutdown). */
final class MemoryBatchQueue implements BatchQueue {
    private record Entry(Batch batch, long acceptedAtMillis) {}

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final long maxBytes;
    private long bytes;

    MemoryBatchQueue(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public void add(Batch batch, long acceptedAtMillis) {
        entries.addLast(new Entry(batch, acceptedAtMillis));
        bytes += batch.size();
    }

    @Override
    public @Nullable Batch peek() {
        Entry e = entries.peekFirst();
        return e == null ? null : e.batch();
    }

    @Override
    public long headAcceptedAtMillis() {
        Entry e = entries.peekFirst();
        return e == null ? -1 : e.acceptedAtMillis();
    }

    @Override
    public void removeHead() {
        Entry e = entries.pollFirst();
        if (e != null) {
            bytes -= e.batch().size();
        }
    }

    @Override
    public int size() {
        return entries.size();
    }

    @Override
    public long bytes() {
        return bytes;
    }

    @Override
    public long maxBytes() {
        return maxBytes;
    }

    @Override
    public int discardAll() {
        int n = entries.size();
        entries.clear();
        bytes = 0;
        return n;
    }

    @Override
    public void close() {
        // nothing held outside the heap
    }
}
