package io.derpwatch.agent.events;

import io.derpwatch.agent.home.HomeSnapshot;
import io.derpwatch.agent.localapi.NodeStatus;
import io.derpwatch.agent.telemetry.TelemetryNames;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Severity;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * {@code tailscale.node.no_ip_assigned} (the product brief's "No IP assigned"): raised when a status read shows
 * {@code Running} or {@code Starting} with no {@code TailscaleIPs}, resolved when a later read shows addresses
 * (or another state). A failed read keeps the last verdict; the home connection's reason is not touched.
 */
final class NoIpChanges implements SnapshotDiff<HomeSnapshot> {
    private boolean raised;

    @Override
    public List<ChangeEvent> diff(@Nullable HomeSnapshot previous, HomeSnapshot current) {
        Optional<NodeStatus> status = current.status();
        if (status.isEmpty()) {
            return List.of();
        }
        boolean now = status.get().noIpAssigned();
        if (now == raised) {
            return List.of();
        }
        raised = now;
        Attributes attributes = Attributes.builder()
                .put(TelemetryNames.HEALTH_STATE, now ? "raised" : "resolved")
                .put(TelemetryNames.BACKEND_STATE_NAME, status.get().backendState())
                .build();
        return List.of(new ChangeEvent(
                TelemetryNames.EVENT_NO_IP_ASSIGNED,
                now ? Severity.WARN : Severity.INFO,
                now
                        ? "tailscaled is " + status.get().backendState() + " but has no Tailscale IP assigned"
                        : "tailscaled has a Tailscale IP again ("
                                + String.join(", ", status.get().tailscaleIps().orElse(List.of())) + ")",
                attributes));
    }
}
