package io.derpwatch.agent.ipn;

import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.telemetry.TelemetryNames;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;

/**
 * The health and backend gauges, read from the state store at collection time: {@code tailscale.health.warnings}
 * (active warnings by severity), {@code tailscale.health.warning.active} (1 per active warning code) and
 * {@code tailscale.backend.state} (1 on the current state, with the mode it was read in).
 */
public final class IpnInstruments {
    private IpnInstruments() {}

    public static void register(Meter meter, StateStore state) {
        meter.gaugeBuilder(TelemetryNames.HEALTH_WARNINGS)
                .ofLongs()
                .setUnit("{warning}")
                .setDescription("Active tailscaled health warnings, by severity")
                .buildWithCallback(m -> state.latest(HealthSnapshot.TOPIC)
                        .ifPresent(s -> HealthDiff.countBySeverity(s.warnings())
                                .forEach((severity, n) ->
                                        m.record(n, Attributes.of(TelemetryNames.HEALTH_WARNING_SEVERITY, severity)))));
        meter.gaugeBuilder(TelemetryNames.HEALTH_WARNING_ACTIVE)
                .ofLongs()
                .setUnit("1")
                .setDescription("1 for each active tailscaled health warning")
                .buildWithCallback(m -> state.latest(HealthSnapshot.TOPIC)
                        .ifPresent(s -> s.warnings()
                                .values()
                                .forEach(w -> m.record(
                                        1,
                                        Attributes.of(
                                                TelemetryNames.HEALTH_WARNING_CODE, w.code(),
                                                TelemetryNames.HEALTH_WARNING_SEVERITY, w.severity())))));
        meter.gaugeBuilder(TelemetryNames.BACKEND_STATE_GAUGE)
                .ofLongs()
                .setUnit("1")
                .setDescription("1 on tailscaled's current backend state")
                .buildWithCallback(m -> state.latest(BackendSnapshot.TOPIC)
                        .ifPresent(s -> m.record(
                                1,
                                Attributes.of(
                                        TelemetryNames.BACKEND_STATE_NAME,
                                                s.state().wireName(),
                                        TelemetryNames.SOURCE_MODE, s.mode()))));
        meter.gaugeBuilder(TelemetryNames.SOURCE_MODE_GAUGE)
                .ofLongs()
                .setUnit("1")
                .setDescription("1 on how the agent reads tailscaled now (bus or poll) and why")
                .buildWithCallback(m -> state.latest(WatchMode.TOPIC)
                        .ifPresent(w -> m.record(
                                1,
                                Attributes.of(
                                        TelemetryNames.SOURCE_NAME, TelemetryNames.SOURCE_IPN_BUS,
                                        TelemetryNames.SOURCE_MODE, w.mode(),
                                        TelemetryNames.SOURCE_MODE_REASON, w.reason()))));
    }
}
