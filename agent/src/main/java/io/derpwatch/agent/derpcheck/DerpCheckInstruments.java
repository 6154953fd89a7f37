package io.derpwatch.agent.derpcheck;

import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.telemetry.TelemetryNames;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;

/**
 * {@code tailscale.derp.region.reachable} and {@code tailscale.derp.region.connect.duration} (per step), read
 * from the last {@link DerpCheckSnapshot} at collection time.
 */
public final class DerpCheckInstruments {
    private DerpCheckInstruments() {}

    public static void register(Meter meter, StateStore state) {
        meter.gaugeBuilder(TelemetryNames.DERP_REGION_REACHABLE)
                .ofLongs()
                .setUnit("1")
                .setDescription("1 when the active check reached the home DERP up to its server-key frame")
                .buildWithCallback(m -> state.latest(DerpCheckSnapshot.TOPIC)
                        .flatMap(DerpCheckSnapshot::result)
                        .ifPresent(r -> m.record(r.reachable() ? 1 : 0, target(r))));
        meter.gaugeBuilder(TelemetryNames.DERP_REGION_CONNECT_DURATION)
                .setUnit("s")
                .setDescription("How long each step of the last active DERP check took")
                .buildWithCallback(m -> state.latest(DerpCheckSnapshot.TOPIC)
                        .flatMap(DerpCheckSnapshot::result)
                        .ifPresent(r -> r.durations()
                                .forEach((step, d) -> m.record(
                                        d.toNanos() / 1e9,
                                        target(r).toBuilder()
                                                .put(TelemetryNames.DERP_CHECK_STEP, step.wireName())
                                                .build()))));
    }

    private static Attributes target(DerpCheckResult r) {
        return Attributes.builder()
                .put(TelemetryNames.REGION_ID, (long) r.target().regionId())
                .put(TelemetryNames.DERP_NODE_NAME, r.target().nodeName())
                .put(TelemetryNames.DERP_NODE_HOST, r.target().hostName())
                .build();
    }
}
