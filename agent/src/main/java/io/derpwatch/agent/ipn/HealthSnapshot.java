package io.derpwatch.agent.ipn;

import io.derpwatch.agent.state.Topic;
import java.time.Instant;
import java.util.Map;

/**
 * tailscaled's active health warnings by code, as the IPN bus last sent them (1.70+); published on {@link #TOPIC}
 * by the IPN-bus watch whenever a notify carries {@code Health}. An empty map is healthy.
 */
public record HealthSnapshot(Map<String, HealthWarning> warnings, Instant sampledAt) {
    /** The health-warnings topic in the state store. */
    public static final Topic<HealthSnapshot> TOPIC = new Topic<>("health", HealthSnapshot.class);

    public HealthSnapshot {
        warnings = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(warnings));
    }
}
