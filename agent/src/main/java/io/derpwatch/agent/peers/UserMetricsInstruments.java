package io.derpwatch.agent.peers;

import io.derpwatch.agent.state.StateStore;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableDoubleMeasurement;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Forwards tailscaled's client metrics under their own names: each metric name, when first seen in the
 * usermetrics topic, gets an observable gauge (or a counter, for Prometheus counters) that reads the latest
 * snapshot's points of that name at collection time, labels as attributes.
 */
public final class UserMetricsInstruments {
    private final Meter meter;
    private final StateStore state;
    // touched by the publisher's thread only (the event loop)
    private final Set<String> registered = new HashSet<>();

    private UserMetricsInstruments(Meter meter, StateStore state) {
        this.meter = meter;
        this.state = state;
    }

    public static void register(Meter meter, StateStore state) {
        UserMetricsInstruments instruments = new UserMetricsInstruments(meter, state);
        state.subscribe(UserMetricsSnapshot.TOPIC, (previous, current) -> instruments.seen(current));
    }

    private void seen(UserMetricsSnapshot snapshot) {
        for (UserMetricPoint p : snapshot.points()) {
            if (registered.add(p.name())) {
                String name = p.name();
                if (p.counter()) {
                    meter.counterBuilder(name)
                            .ofDoubles()
                            .setDescription(p.help())
                            .buildWithCallback(m -> record(name, m));
                } else {
                    meter.gaugeBuilder(name).setDescription(p.help()).buildWithCallback(m -> record(name, m));
                }
            }
        }
    }

    private void record(String name, ObservableDoubleMeasurement m) {
        state.latest(UserMetricsSnapshot.TOPIC).ifPresent(s -> {
            for (UserMetricPoint p : s.points()) {
                if (p.name().equals(name)) {
                    m.record(p.value(), attributes(p.labels()));
                }
            }
        });
    }

    private static Attributes attributes(Map<String, String> labels) {
        AttributesBuilder b = Attributes.builder();
        labels.forEach(b::put);
        return b.build();
    }
}
