package io.derpwatch.agent.events;

import io.derpwatch.agent.derpcheck.DerpCheckSnapshot;
import io.derpwatch.agent.derpcheck.DisagreementRule;
import io.derpwatch.agent.home.HomeSnapshot;
import io.derpwatch.agent.insight.InsightSnapshot;
import io.derpwatch.agent.ipn.BackendSnapshot;
import io.derpwatch.agent.ipn.FlappingSettings;
import io.derpwatch.agent.ipn.HealthSnapshot;
import io.derpwatch.agent.logs.LogSignatureBatch;
import io.derpwatch.agent.netcheck.NetcheckSnapshot;
import io.derpwatch.agent.peers.PeerSnapshot;
import io.derpwatch.agent.ping.PingSnapshot;
import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.state.Topic;
import io.derpwatch.agent.telemetry.EventEmitter;
import io.derpwatch.agent.telemetry.TelemetryNames;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
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
     * Subscribes the home, netcheck and peer-path diffs to {@code state}.
     *
     * @param localApiSocket named on a home-connection change caused by a LocalAPI failure
     */
    public static ChangeEventEmitter subscribe(StateStore state, EventEmitter events, Path localApiSocket) {
        ChangeEventEmitter emitter = new ChangeEventEmitter(events);
        emitter.on(state, HomeSnapshot.TOPIC, new HomeChanges(localApiSocket));
        emitter.on(state, NetcheckSnapshot.TOPIC, new NetcheckChanges());
        emitter.onPeersLogsInsights(state);
        return emitter;
    }

    /**
     * Subscribes every diff: home (through {@code flapping}), netcheck, health warnings (through {@code
     * flapping}, per code) and backend state; counts every home-connection and warning change on {@code meter}.
     *
     * @param flapping the flapping settings; the rule runs on {@code nanoClock}
     */
    public static ChangeEventEmitter subscribe(
            StateStore state,
            EventEmitter events,
            Path localApiSocket,
            Meter meter,
            FlappingSettings flapping,
            LongSupplier nanoClock) {
        ChangeEventEmitter emitter = new ChangeEventEmitter(events);
        LongCounter homeChanges = meter.counterBuilder(TelemetryNames.HOME_CONNECTION_CHANGES)
                .setUnit("{change}")
                .setDescription("Changes of the home DERP connection, reported, flapping or suppressed")
                .build();
        LongCounter warningChanges = meter.counterBuilder(TelemetryNames.HEALTH_WARNING_CHANGES)
                .setUnit("{change}")
                .setDescription("Health warnings raised or resolved, by code, reported, flapping or suppressed")
                .build();
        emitter.on(
                state,
                HomeSnapshot.TOPIC,
                new HomeChanges(
                        localApiSocket,
                        new Flapping(
                                flapping.rule(nanoClock), homeChanges, TelemetryNames.EVENT_HOME_CONNECTION_FLAPPING)));
        emitter.on(state, NetcheckSnapshot.TOPIC, new NetcheckChanges());
        emitter.on(
                state,
                HealthSnapshot.TOPIC,
                new HealthChanges(new Flapping(
                        flapping.rule(nanoClock), warningChanges, TelemetryNames.EVENT_HEALTH_WARNING_FLAPPING)));
        emitter.on(state, BackendSnapshot.TOPIC, new BackendChanges());
        emitter.on(state, HomeSnapshot.TOPIC, new NoIpChanges());
        emitter.onPeersLogsInsights(state);
        return emitter;
    }

    /** Peer path changes, ping path changes, log signatures and insights: the same in both subscriptions. */
    private void onPeersLogsInsights(StateStore state) {
        on(state, PeerSnapshot.TOPIC, new PeerChanges());
        on(state, PingSnapshot.TOPIC, new PingChanges());
        on(state, LogSignatureBatch.TOPIC, new LogSignatureEvents());
        on(state, InsightSnapshot.TOPIC, new InsightEvents());
    }

    /** Adds the active DERP check's events: reachability changes, and disagreement with tailscaled by {@code rule}. */
    public ChangeEventEmitter withDerpCheck(StateStore state, DisagreementRule rule) {
        on(state, DerpCheckSnapshot.TOPIC, new DerpCheckChanges(state, rule));
        return this;
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
                events.emitNow(e.name(), e.severity(), e.body(), e.attributes(), e.time());
                for (Listener l : listeners) {
                    l.emitted(e.name(), e.severity(), e.body());
                }
            }
        });
    }
}
