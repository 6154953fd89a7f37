package io.derpwatch.agent.ping;

import java.time.Duration;

/**
 * tailscaled's answer to {@code POST /localapi/v0/ping} ({@code ipnstate.PingResult}).
 *
 * @param ip             the ping destination
 * @param nodeIp         the Tailscale IP of the node that handles {@code ip} (differs for subnet routers)
 * @param nodeName       its DNS name base or host name
 * @param err            tailscaled's error text ({@code no matching peer}, ...), empty on a pong
 * @param latency        the round trip ({@code LatencySeconds})
 * @param endpoint       {@code ip:port} when direct UDP was used, empty otherwise
 * @param peerRelay      the peer relay ({@code ip:port:vni:N}, 1.86+) when one was used, empty otherwise
 * @param derpRegionId   non-zero when DERP was used
 * @param derpRegionCode the DERP region's code when DERP was used
 * @param localIp        {@code ip} is this node's own address
 */
public record PingResult(
        String ip,
        String nodeIp,
        String nodeName,
        String err,
        Duration latency,
        String endpoint,
        String peerRelay,
        int derpRegionId,
        String derpRegionCode,
        boolean localIp) {

    public boolean ok() {
        return err.isEmpty();
    }

    public PingPath path() {
        return PingPath.of(this);
    }
}
