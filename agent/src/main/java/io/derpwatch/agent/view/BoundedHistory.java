package io.derpwatch.agent.view;

import java.util.ArrayDeque;
import java.util.List;

/** The last {@code capacity} items, oldest first; written on the event loop, read from any thread. */
public final class BoundedHistory<T> {
    private final int capacity;
    private final ArrayDeque<T> items;

    public BoundedHistory(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        }
        this.capacity = capacity;
        this.items = new ArrayDeque<>(capacity);
    }

    public synchronized void add(T item) {
        if (items.size() == capacity) {
            items.removeFirst();
        }
        items.addLast(item);
    }

    public synchronized List<T> items() {
        return List.copyOf(items);
    }
}
