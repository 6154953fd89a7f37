package io.derpwatch.agent.ping;

import io.derpwatch.agent.peers.PeerPath;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The path a pong took: {@link PeerPath#DIRECT} with the kind of endpoint ({@code ipv4}, {@code ipv6}, or
 * {@code lan} for a private or link-local address), {@link PeerPath#DERP} with the region code, or
 * {@link PeerPath#PEER_RELAY}; {@link PeerPath#IDLE} when the ping failed (no path).
 *
 * @param detail the endpoint kind (direct), the region code (DERP), empty otherwise
 */
public record PingPath(PeerPath kind, String detail) {

    static PingPath of(PingResult r) {
        if (!r.ok() || r.localIp()) {
            return new PingPath(PeerPath.IDLE, "");
        }
        if (!r.endpoint().isEmpty()) {
            return new PingPath(PeerPath.DIRECT, endpointKind(r.endpoint()));
        }
        if (!r.peerRelay().isEmpty()) {
            return new PingPath(PeerPath.PEER_RELAY, "");
        }
        if (r.derpRegionId() != 0 || !r.derpRegionCode().isEmpty()) {
            return new PingPath(
                    PeerPath.DERP,
                    r.derpRegionCode().isEmpty() ? String.valueOf(r.derpRegionId()) : r.derpRegionCode());
        }
        return new PingPath(PeerPath.IDLE, "");
    }

    /** {@code ipv4}, {@code ipv6} or {@code lan} for {@code ip:port} / {@code [ip]:port}. */
    static String endpointKind(String endpoint) {
        boolean v6 = endpoint.startsWith("[");
        String host = v6
                ? endpoint.substring(1, Math.max(1, endpoint.indexOf(']')))
                : endpoint.substring(0, endpoint.lastIndexOf(':') < 0 ? endpoint.length() : endpoint.lastIndexOf(':'));
        if (host.matches("[0-9.]+") || host.matches("[0-9a-fA-F:]+")) {
            try {
                InetAddress a = InetAddress.getByName(host); // a literal: no lookup
                byte[] b = a.getAddress();
                boolean ula = b.length == 16 && (b[0] & 0xfe) == 0xfc;
                if (a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isLoopbackAddress() || ula) {
                    return "lan";
                }
            } catch (UnknownHostException e) {
                // not a literal after all: keep the family guess
            }
        }
        return v6 ? "ipv6" : "ipv4";
    }

    /** {@code direct}, {@code derp(fra)}, {@code peer_relay}, {@code none}: for logs and the CLI. */
    public String describe() {
        return switch (kind) {
            case DIRECT -> "direct(" + detail + ")";
            case DERP -> "derp(" + detail.toLowerCase(Locale.ROOT) + ")";
            case PEER_RELAY -> "peer_relay";
            case IDLE -> "none";
        };
    }
}
