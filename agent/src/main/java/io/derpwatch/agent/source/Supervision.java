package io.derpwatch.agent.source;

import io.derpwatch.agent.telemetry.TelemetryNames;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The supervised components of one agent: their health (read by {@code /healthz}) and the
 * {@code derpwatch.component.state} gauge (1 on the component's current state) and
 * {@code derpwatch.component.restarts} counter (a sample abandoned or crashed, a worker restarted).
 */
public final class Supervision {
    private final List<Supplier<ComponentHealth>> components = new CopyOnWriteArrayList<>();
    private final LongCounter restarts;

    public Supervision(Meter meter) {
        this.restarts = meter.counterBuilder(TelemetryNames.COMPONENT_RESTARTS)
                .setUnit("{restart}")
                .setDescription("Times a supervised component was restarted: a sample abandoned or crashed, a worker")
                .build();
        meter.gaugeBuilder(TelemetryNames.COMPONENT_STATE)
                .ofLongs()
                .setUnit("1")
                .setDescription("1 on each supervised component's current state")
                .buildWithCallback(m -> {
                    for (ComponentHealth h : health()) {
                        m.record(
                                1,
                                attributes(h.kind(), h.name()).toBuilder()
                                        .put(TelemetryNames.STATE, h.state().wireName())
                                        .build());
                    }
                });
    }

    /** Adds a component whose health is read on every {@code /healthz} and collection. */
    public void register(Supplier<ComponentHealth> component) {
        components.add(component);
    }

    /** Counts one restart of {@code kind}/{@code name}. */
    public void restarted(String kind, String name) {
        restarts.add(1, attributes(kind, name));
    }

    /** Every component's health now. */
    public List<ComponentHealth> health() {
        List<ComponentHealth> all = new ArrayList<>(components.size());
        for (Supplier<ComponentHealth> c : components) {
            try {
                all.add(c.get());
            } catch (RuntimeException e) {
                all.add(new ComponentHealth("unknown", "unknown", ComponentState.STALLED, "health check failed: " + e));
            }
        }
        return all;
    }

    private static Attributes attributes(String kind, String name) {
        return Attributes.of(TelemetryNames.COMPONENT_KIND, kind, TelemetryNames.COMPONENT_NAME, name);
    }
}
