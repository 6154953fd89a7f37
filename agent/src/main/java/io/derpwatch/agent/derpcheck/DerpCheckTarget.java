package io.derpwatch.agent.derpcheck;

import io.derpwatch.agent.derp.DerpNode;
import java.util.Objects;

/**
 * One DERP node to check: its TLS name and where to connect.
 *
 * @param hostName the node's {@code HostName}: TLS server name and certificate name, and what DNS resolves
 * @param address  an IP literal to connect to (the DERP map's {@code IPv4}/{@code IPv6}), empty to resolve
 *                 {@code hostName}
 * @param port     the DERP port ({@code DERPPort}; 443 when the map says 0)
 */
public record DerpCheckTarget(int regionId, String nodeName, String hostName, String address, int port) {
    public static final int DEFAULT_DERP_PORT = 443;

    public DerpCheckTarget {
        Objects.requireNonNull(hostName);
        Objects.requireNonNull(address);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("DERP port out of range: " + port);
        }
    }

    /** The node as the DERP map gives it: its IPv4 if an IP literal is there, else its name to resolve. */
    public static DerpCheckTarget of(DerpNode node) {
        String v4 = node.ipv4() == null ? "" : node.ipv4();
        String address = v4.isEmpty() || !v4.matches("[0-9.]+") ? "" : v4;
        return new DerpCheckTarget(
                node.regionId(),
                node.name(),
                node.hostName(),
                address,
                node.derpPort() == 0 ? DEFAULT_DERP_PORT : node.derpPort());
    }
}
