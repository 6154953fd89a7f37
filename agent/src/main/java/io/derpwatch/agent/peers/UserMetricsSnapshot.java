package io.derpwatch.agent.peers;

import io.derpwatch.agent.state.Topic;
import java.time.Instant;
import java.util.List;

/**
 * One read of tailscaled's client metrics: the points under tailscaled's own names, or none with
 * {@code absent} when the daemon predates {@code /localapi/v0/usermetrics} (404).
 */
public record UserMetricsSnapshot(List<UserMetricPoint> points, boolean absent, Instant sampledAt) {
    public static final Topic<UserMetricsSnapshot> TOPIC = new Topic<>("usermetrics", UserMetricsSnapshot.class);

    public UserMetricsSnapshot {
        points = List.copyOf(points);
    }
}
