package io.derpwatch.agent.derpcheck;

import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.telemetry.TelemetryNames;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import java.util.List;
import java.util.Optional;

/**
 * {@code tailscale.derp.region.reachable} and {@code tailscale.derp.region.connect.duration} (per step), one series
 * per region checked in the last {@link DerpCheckSnapshot} (bounded by {@code derp-check.max-regions}), read at
 * collection time.
 */
public final class DerpCheckInstruments {
    private DerpCheckInstruments() {}

    public static void register(Meter meter, StateStore state) {
        meter.gaugeBuilder(TelemetryNames.DERP_REGION_REACHABLE)
                .ofLongs()
                .setUnit("1")
                .setDescription("1 when the active check reached the DERP region up to its server-key frame")
                .buildWithCallback(m -> {
                    Optional<DerpCheckSnapshot> s = state.latest(DerpCheckSnapshot.TOPIC);
                    s.ifPresent(snapshot ->
                            results(snapshot).forEach(r -> m.record(r.reachable() ? 1 : 0, target(r, snapshot))));
                });
        meter.gaugeBuilder(TelemetryNames.DERP_REGION_CONNECT_DURATION)
                .setUnit("s")
                .setDescription("How long each step of the last active DERP check took")
                .buildWithCallback(m -> state.latest(DerpCheckSnapshot.TOPIC)
                        .ifPresent(snapshot -> results(snapshot)
                                .forEach(r -> r.durations()
                                        .forEach((step, d) -> m.record(
                                                d.toNanos() / 1e9,
                                                target(r, snapshot).toBuilder()
                                                        .put(TelemetryNames.DERP_CHECK_STEP, step.wireName())
                                                        .build())))));
    }

    private static List<DerpCheckResult> results(DerpCheckSnapshot s) {
        return s.regions().isEmpty() ? s.result().map(List::of).orElse(List.of()) : s.regions();
    }

    static boolean isHome(DerpCheckResult r, DerpCheckSnapshot s) {
        return s.result()
                .map(h -> h.target().regionId() == r.target().regionId())
                .orElse(false);
    }

    private static Attributes target(DerpCheckResult r, DerpCheckSnapshot s) {
        return Attributes.builder()
                .put(TelemetryNames.REGION_ID, (long) r.target().regionId())
                .put(TelemetryNames.DERP_NODE_NAME, r.target().nodeName())
                .put(TelemetryNames.DERP_NODE_HOST, r.target().hostName())
                .put(TelemetryNames.DERP_REGION_HOME, isHome(r, s))
                .build();
    }
}
