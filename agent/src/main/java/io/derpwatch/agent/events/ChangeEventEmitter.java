package io.derpwatch.agent.events;

import io.derpwatch.agent.home.HomeSnapshot;
import io.derpwatch.agent.insight.InsightSnapshot;
import io.derpwatch.agent.logs.LogSignatureBatch;
import io.derpwatch.agent.netcheck.NetcheckSnapshot;
import io.derpwatch.agent.peers.PeerSnapshot;
import io.derpwatch.agent.ping.PingSnapshot;
import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.state.Topic;
import io.derpwatch.agent.telemetry.EventEmitter;
import io.opentelemetry.api.logs.Severity;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns state-store changes into events: subscribes one {@link SnapshotDiff} per topic and emits what it gives,
 * handed to the sinks at once ({@link EventEmitter#emitNow}), and logged. The only place change events are made.
 */
public final class ChangeEventEmitter {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeEventEmitter.class);

    private final EventEmitter events;

    private ChangeEventEmitter(EventEmitter events) {
        this.events = events;
    }

    /**
     * Subscribes the home, netcheck and peer-path diffs to {@code state}.
     *
     * @param localApiSocket named on a home-connection change caused by a LocalAPI failure
     */
    public static ChangeEventEmitter subscribe(StateStore state, EventEmitter events, Path localApiSocket) {
        ChangeEventEmitter emitter = new ChangeEventEmitter(events);
        emitter.on(state, HomeSnapshot.TOPIC, new HomeChanges(localApiSocket));
        emitter.on(state, NetcheckSnapshot.TOPIC, new NetcheckChanges());
        emitter.on(state, PeerSnapshot.TOPIC, new PeerChanges());
        emitter.on(state, PingSnapshot.TOPIC, new PingChanges());
        emitter.on(state, LogSignatureBatch.TOPIC, new LogSignatureEvents());
        emitter.on(state, InsightSnapshot.TOPIC, new InsightEvents());
        return emitter;
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
            }
        });
    }
}
