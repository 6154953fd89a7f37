package io.derpwatch.agent.events;

import io.derpwatch.agent.home.HomeSnapshot;
import io.derpwatch.agent.netcheck.NetcheckSnapshot;
import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.state.Topic;
import io.derpwatch.agent.telemetry.EventEmitter;
import io.opentelemetry.api.logs.Severity;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns state-store changes into events: subscribes one {@link SnapshotDiff} per topic and emits what it gives,
 * handed to the sinks at once ({@link EventEmitter#emitNow}), and logged. The only place change events are made.
 */
public final class ChangeEventEmitter {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeEventEmitter.class);

    /** Sees every change event after it was emitted (the status page's event history), on the publisher's thread. */
    @FunctionalInterface
    public interface Listener {
        void emitted(String eventName, Severity severity, String body);
    }

    private final EventEmitter events;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    private ChangeEventEmitter(EventEmitter events) {
        this.events = events;
    }

    /**
     * Subscribes the home and netcheck diffs to {@code state}.
     *
     * @param localApiSocket named on a home-connection change caused by a LocalAPI failure
     */
    public static ChangeEventEmitter subscribe(StateStore state, EventEmitter events, Path localApiSocket) {
        ChangeEventEmitter emitter = new ChangeEventEmitter(events);
        emitter.on(state, HomeSnapshot.TOPIC, new HomeChanges(localApiSocket));
        emitter.on(state, NetcheckSnapshot.TOPIC, new NetcheckChanges());
        return emitter;
    }

    /** Adds a listener told of every change event from now on. */
    public void listen(Listener listener) {
        listeners.add(listener);
    }

    private <T> void on(StateStore state, Topic<T> topic, SnapshotDiff<T> diff) {
        state.subscribe(topic, (previous, current) -> {
            for (ChangeEvent e : diff.diff(previous, current)) {
                if (e.severity().getSeverityNumber() >= Severity.WARN.getSeverityNumber()) {
                    LOG.warn(e.body());
                } else {
                    LOG.info(e.body());
                }
                events.emitNow(e.name(), e.severity(), e.body(), e.attributes());
                for (Listener l : listeners) {
                    l.emitted(e.name(), e.severity(), e.body());
                }
            }
        });
    }
}
