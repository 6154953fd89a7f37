package io.derpwatch.agent.events;

import io.derpwatch.agent.ipn.HealthChange;
import io.derpwatch.agent.ipn.HealthDiff;
import io.derpwatch.agent.ipn.HealthSnapshot;
import io.derpwatch.agent.ipn.HealthWarning;
import io.derpwatch.agent.telemetry.TelemetryNames;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.logs.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code tailscale.health.warning} raised/resolved for every warnable that changes (the first snapshot raises
 * every active one), through the flapping rule per warning code.
 */
final class HealthChanges implements SnapshotDiff<HealthSnapshot> {
    private final Flapping flapping;

    HealthChanges(Flapping flapping) {
        this.flapping = flapping;
    }

    @Override
    public List<ChangeEvent> diff(@Nullable HealthSnapshot previous, HealthSnapshot current) {
        Map<String, HealthWarning> before = previous == null ? Map.of() : previous.warnings();
        List<ChangeEvent> out = new ArrayList<>();
        for (HealthChange c : HealthDiff.between(before, current.warnings())) {
            HealthWarning w = c.warning();
            Attributes subject = Attributes.of(TelemetryNames.HEALTH_WARNING_CODE, w.code());
            flapping.gate("health warning " + w.code(), subject, event(c)).ifPresent(out::add);
        }
        return out;
    }

    static ChangeEvent event(HealthChange c) {
        HealthWarning w = c.warning();
        AttributesBuilder b = Attributes.builder()
                .put(TelemetryNames.HEALTH_STATE, c.kind().wireName())
                .put(TelemetryNames.HEALTH_WARNING_CODE, w.code())
                .put(TelemetryNames.HEALTH_WARNING_SEVERITY, w.severity())
                .put(TelemetryNames.HEALTH_WARNING_TITLE, w.title())
                .put(TelemetryNames.HEALTH_WARNING, w.text())
                .put(TelemetryNames.HEALTH_WARNING_IMPACTS_CONNECTIVITY, w.impactsConnectivity());
        String regionId = w.args().get("RegionID");
        if (regionId != null) {
            b.put(TelemetryNames.HEALTH_WARNING_REGION_ID, regionId);
        }
        String regionName = w.args().get("RegionName");
        if (regionName != null) {
            b.put(TelemetryNames.HEALTH_WARNING_REGION_NAME, regionName);
        }
        boolean raised = c.kind() == HealthChange.Kind.RAISED;
        Severity severity = !raised ? Severity.INFO : "high".equals(w.severity()) ? Severity.ERROR : Severity.WARN;
        String body = "health warning " + w.code() + " " + c.kind().wireName()
                + (w.text().isEmpty() ? "" : ": " + w.text());
        return new ChangeEvent(TelemetryNames.EVENT_HEALTH_WARNING, severity, body, b.build());
    }
}
