package io.derpwatch.lab;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The emulator's {@code GET /localapi/v0/usermetrics}: tailscaled's client metrics in the Prometheus text
 * format (the names and labels of tailscale's {@code usermetric} package), or 404 as a daemon older than the
 * endpoint answers ({@link #absent()}).
 */
public final class LabUserMetrics {
    /** A body shaped like tailscaled 1.8x's: bytes by path, home DERP region, health messages, routes. */
    public static final String DEFAULT = """
            # TYPE tailscaled_advertised_routes gauge
            # HELP tailscaled_advertised_routes Number of advertised network routes (e.g. by a subnet router)
            tailscaled_advertised_routes 0
            # TYPE tailscaled_approved_routes gauge
            # HELP tailscaled_approved_routes Number of approved network routes (e.g. by a subnet router)
            tailscaled_approved_routes 0
            # TYPE tailscaled_health_messages gauge
            # HELP tailscaled_health_messages Number of health messages broken down by type.
            tailscaled_health_messages{type="warning"} 1
            # TYPE tailscaled_home_derp_region_id gauge
            # HELP tailscaled_home_derp_region_id DERP region ID of this node's home relay server.
            tailscaled_home_derp_region_id 4
            # TYPE tailscaled_inbound_bytes_total counter
            # HELP tailscaled_inbound_bytes_total Counts the number of bytes received from other peers
            tailscaled_inbound_bytes_total{path="derp"} 81250
            tailscaled_inbound_bytes_total{path="direct_ipv4"} 1234567
            tailscaled_inbound_bytes_total{path="direct_ipv6"} 0
            tailscaled_inbound_bytes_total{path="peer_relay_ipv4"} 4096
            # TYPE tailscaled_outbound_bytes_total counter
            # HELP tailscaled_outbound_bytes_total Counts the number of bytes sent to other peers
            tailscaled_outbound_bytes_total{path="derp"} 70000
            tailscaled_outbound_bytes_total{path="direct_ipv4"} 998877
            # TYPE tailscaled_inbound_dropped_packets_total counter
            # HELP tailscaled_inbound_dropped_packets_total Counts the number of dropped packets received by the node from other peers
            tailscaled_inbound_dropped_packets_total{reason="acl"} 3
            """;

    private final AtomicReference<String> body = new AtomicReference<>(DEFAULT);

    LabUserMetrics() {}

    /** Serves {@code text} as the metrics body. */
    public void serve(String text) {
        body.set(text);
    }

    /** Answers 404, as tailscaled before the endpoint existed. */
    public void absent() {
        body.set(null);
    }

    LabAnswer answer(String method) {
        String text = body.get();
        if (text == null) {
            return LabAnswer.text(404, "404 page not found");
        }
        if (!method.equals("GET")) {
            return LabAnswer.text(405, "method not allowed");
        }
        return LabAnswer.body(200, "text/plain; version=0.0.4; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }
}
