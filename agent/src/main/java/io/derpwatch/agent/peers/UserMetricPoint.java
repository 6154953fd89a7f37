package io.derpwatch.agent.peers;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One sample of tailscaled's client metrics ({@code /localapi/v0/usermetrics}), forwarded under its own name.
 *
 * @param name   the metric name as tailscaled writes it ({@code tailscaled_inbound_bytes_total})
 * @param type   {@code counter}, {@code gauge}, or {@code untyped} when no {@code # TYPE} line says
 * @param help   the {@code # HELP} text, empty when none
 * @param labels the sample's labels in order ({@code path=direct_ipv4})
 */
public record UserMetricPoint(String name, String type, String help, Map<String, String> labels, double value) {
    public UserMetricPoint {
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }

    public boolean counter() {
        return type.equals("counter");
    }
}
