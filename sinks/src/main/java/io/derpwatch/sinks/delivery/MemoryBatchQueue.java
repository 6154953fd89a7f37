package io.derpwatch.sinks.delivery;

import io.derpwatch.sinks.Batch;
import java.util.ArrayDeque;

/** Batches kept on the heap; lost if the process dies (counted as dropped on an orderly shutdown). */
final class MemoryBatchQueue implements BatchQueue {
    private final ArrayDeque<Batch> batches = new ArrayDeque<>();
    private final long maxBytes;
    private long bytes;

    MemoryBatchQueue(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public void add(Batch batch) {
        batches.addLast(batch);
        bytes += batch.size();
    }

    @Override
    public Batch peek() {
        return batches.peekFirst();
    }

    @Override
    public void removeHead() {
        Batch b = batches.pollFirst();
        if (b != null) {
            bytes -= b.size();
        }
    }

    @Override
    public int size() {
        return batches.size();
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
        int n = batches.size();
        batches.clear();
        bytes = 0;
        return n;
    }

    @Override
    public void close() {
        // nothing held outside the heap
    }
}
