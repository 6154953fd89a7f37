package io.derpwatch.agent.netcheck;

import io.derpwatch.agent.derp.DerpNode;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/** One report's node addresses: each node and family resolved once, shared by the STUN and HTTPS probes. */
final class ReportAddresses {
    private final NodeAddressResolver resolver;
    private final Map<String, CompletableFuture<Optional<InetAddress>>> addresses = new HashMap<>();

    ReportAddresses(NodeAddressResolver resolver) {
        this.resolver = resolver;
    }

    /** Called on the event loop. */
    CompletableFuture<Optional<InetAddress>> of(DerpNode node, AddressFamily family) {
        String key = family + "|" + node.name() + "|" + node.hostName() + "|" + node.ipv4() + "|" + node.ipv6();
        return addresses.computeIfAbsent(key, k -> resolver.resolve(node, family));
    }

    /** The name an HTTP request to {@code node} carries: its host name, else {@code fallback}'s address. */
    static String hostOf(DerpNode node, @Nullable InetAddress fallback) {
        if (node.hostName() != null && !node.hostName().isEmpty()) {
            return node.hostName();
        }
        return fallback == null ? "" : fallback.getHostAddress();
    }

    /** Whether a reply from {@code b} comes from the probe's destination {@code a} (IPv4-mapped IPv6 too). */
    static boolean sameEndpoint(InetSocketAddress a, InetSocketAddress b) {
        if (a.getPort() != b.getPort()) {
            return false;
        }
        InetAddress x = a.getAddress();
        InetAddress y = b.getAddress();
        return x != null
                && y != null
                && (x.equals(y) || (x instanceof Inet4Address && mapped(y).equals(x)));
    }

    /** An IPv4-mapped IPv6 address as IPv4 (a dual-stack socket may report one), else the address itself. */
    private static InetAddress mapped(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 16) {
            boolean prefix = true;
            for (int i = 0; i < 10; i++) {
                prefix &= b[i] == 0;
            }
            if (prefix && b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
                try {
                    return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (UnknownHostException e) {
                    return a;
                }
            }
        }
        return a;
    }
}
