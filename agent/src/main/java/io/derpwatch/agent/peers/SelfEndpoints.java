package io.derpwatch.agent.peers;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;

/** What {@code Self.Addrs} of a status document (this node's own endpoints, {@code ip:port}) says. */
final class SelfEndpoints {
    private SelfEndpoints() {}

    /**
     * The port tailscaled's magicsock listens on, from {@code Self.Addrs} ({@code ip:port}, {@code [v6]:port}):
     * the port of a private-address endpoint (the socket's own; public ones may be NAT-mapped), else the first
     * endpoint's; 0 when there is none.
     */
    static int udpPort(List<String> addrs) {
        int first = 0;
        for (String a : addrs) {
            int colon = a.lastIndexOf(':');
            if (colon <= 0) {
                continue;
            }
            int port;
            try {
                port = Integer.parseInt(a.substring(colon + 1));
            } catch (NumberFormatException e) {
                continue;
            }
            if (port <= 0 || port > 65535) {
                continue;
            }
            if (first == 0) {
                first = port;
            }
            if (isPrivate(a.substring(0, colon))) {
                return port;
            }
        }
        return first;
    }

    private static boolean isPrivate(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!h.matches("[0-9a-fA-F:.]+")) {
            return false; // never resolve a name
        }
        try {
            InetAddress ip = InetAddress.getByName(h);
            byte[] b = ip.getAddress();
            boolean ula = b.length == 16 && (b[0] & 0xfe) == 0xfc;
            return ip.isSiteLocalAddress() || ip.isLinkLocalAddress() || ip.isLoopbackAddress() || ula;
        } catch (IOException e) {
            return false;
        }
    }
}
