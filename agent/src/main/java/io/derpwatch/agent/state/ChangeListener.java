package io.derpwatch.agent.state;

import org.jspecify.annotations.Nullable;

/** Told of every snapshot published on a topic, with the one it replaces (null for the first). */
@FunctionalInterface
public interface ChangeListener<T> {
    void changed(@Nullable T previous, T current);
}
