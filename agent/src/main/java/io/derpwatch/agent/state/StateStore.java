package io.derpwatch.agent.state;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's one state store: the latest immutable snapshot per {@link Topic}. Sources publish (on the event
 * loop); instruments, readiness, the status page read {@link #latest} from any thread; the change-event emitter
 * and anything else that reacts {@link #subscribe}s and is told, on the publisher's thread, of every publish
 * with the snapshot it replaced. A listener that throws is logged and does not stop the others or the source.
 */
public final class StateStore {
    private static final Logger LOG = LoggerFactory.getLogger(StateStore.class);

    private final Map<Topic<?>, Object> latest = new ConcurrentHashMap<>();
    private final Map<Topic<?>, List<ChangeListener<?>>> listeners = new ConcurrentHashMap<>();

    /** The latest snapshot on {@code topic}, empty before the first publish. */
    public <T> Optional<T> latest(Topic<T> topic) {
        return Optional.ofNullable(latest.get(topic)).map(topic.type()::cast);
    }

    /** Replaces the snapshot on {@code topic} and tells its listeners. */
    @SuppressWarnings("unchecked")
    public <T> void publish(Topic<T> topic, T snapshot) {
        T current = topic.type().cast(Objects.requireNonNull(snapshot, "snapshot"));
        T previous = (T) latest.put(topic, current);
        for (ChangeListener<?> l : listeners.getOrDefault(topic, List.of())) {
            try {
                ((ChangeListener<T>) l).changed(previous, current);
            } catch (RuntimeException e) {
                LOG.error("a listener of {} failed", topic.name(), e);
            }
        }
    }

    /** Calls {@code listener} on every later publish on {@code topic}; returns what unsubscribes it. */
    public <T> AutoCloseable subscribe(Topic<T> topic, ChangeListener<? super T> listener) {
        List<ChangeListener<?>> list = listeners.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>());
        list.add(listener);
        return () -> list.remove(listener);
    }
}
