package io.derpwatch.agent.home;

import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.telemetry.TelemetryNames;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.Meter;
import java.util.Optional;

/** The {@code tailscale.derp.home_connection} gauge, read from the state store's home topic at collection time. */
public final class HomeConnectionInstruments {
    private HomeConnectionInstruments() {}

    /** Registers the gauge on {@code meter}; it lives as long as the meter provider. */
    public static void register(Meter meter, StateStore state) {
        meter.gaugeBuilder(TelemetryNames.HOME_CONNECTION)
                .ofLongs()
                .setUnit("1")
                .setDescription("1 when this node is connected to its home DERP region, else 0")
                .buildWithCallback(m -> state.latest(HomeSnapshot.TOPIC)
                        .ifPresent(s -> m.record(
                                s.connection().value(),
                                regionAttributes(s.connection().region()))));
    }

    /**
     * Runs {@code changed} on every publish that gives the gauge something new to show: the first home snapshot,
     * a new value, or a new home region (its attributes: a new series). The same value and region again, e.g. a
     * poll confirming what the IPN bus said, is no change.
     */
    public static AutoCloseable onChange(StateStore state, Runnable changed) {
        return state.subscribe(HomeSnapshot.TOPIC, (previous, current) -> {
            if (previous == null
                    || previous.connection().value() != current.connection().value()
                    || !regionAttributes(previous.connection().region())
                            .equals(regionAttributes(current.connection().region()))) {
                changed.run();
            }
        });
    }

    /** {@code tailscale.derp.region.id/code/name}, as far as they are known. */
    public static Attributes regionAttributes(Optional<HomeRegion> region) {
        AttributesBuilder b = Attributes.builder();
        region.ifPresent(r -> {
            r.id().ifPresent(id -> b.put(TelemetryNames.REGION_ID, (long) id));
            b.put(TelemetryNames.REGION_CODE, r.code());
            r.name().ifPresent(n -> b.put(TelemetryNames.REGION_NAME, n));
        });
        return b.build();
    }
}
