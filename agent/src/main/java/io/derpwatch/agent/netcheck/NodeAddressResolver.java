package io.derpwatch.agent.netcheck;

import io.derpwatch.agent.derp.DerpNode;
import io.derpwatch.agent.net.NettyTransport;
import io.netty.channel.EventLoop;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Turns a DERP node's {@code IPv4}/{@code IPv6} fields into addresses: an IP literal is used as is, an empty field
 * means "resolve {@code HostName}" (Netty's non-blocking DNS resolver, on the event loop), anything else (such as
 * {@code none}) disables that family for the node.
 */
final class NodeAddressResolver implements AutoCloseable {
    private final EventLoop loop;
    private final NettyTransport transport;
    private DnsNameResolver resolver; // made on the first name to resolve: most DERP maps carry IPs

    NodeAddressResolver(EventLoop loop, NettyTransport transport) {
        this.loop = loop;
        this.transport = transport;
    }

    private synchronized DnsNameResolver resolver() {
        if (resolver == null) {
            resolver = new DnsNameResolverBuilder(loop)
                    .datagramChannelType(transport.datagramChannel())
                    .socketChannelType(transport.socketChannel())
                    .resolvedAddressTypes(ResolvedAddressTypes.IPV4_PREFERRED)
                    .build();
        }
        return resolver;
    }

    /** The node's address for {@code family}; empty when the family is disabled or the name has no such record. */
    CompletableFuture<Optional<InetAddress>> resolve(DerpNode node, AddressFamily family) {
        String field = family == AddressFamily.IPV4 ? node.ipv4() : node.ipv6();
        if (field != null && !field.isEmpty()) {
            return CompletableFuture.completedFuture(literal(field, family));
        }
        if (node.hostName() == null || node.hostName().isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        CompletableFuture<Optional<InetAddress>> out = new CompletableFuture<>();
        resolver().resolveAll(node.hostName()).addListener(f -> {
            if (!f.isSuccess()) {
                out.completeExceptionally(f.cause());
                return;
            }
            @SuppressWarnings("unchecked")
            List<InetAddress> all = (List<InetAddress>) f.getNow();
            out.complete(all.stream().filter(a -> matches(a, family)).findFirst());
        });
        return out;
    }

    /** Resolves a host name (or IP literal) to one address, IPv4 preferred. */
    CompletableFuture<InetAddress> resolveHost(String host) {
        Optional<InetAddress> v4 = literal(host, AddressFamily.IPV4);
        Optional<InetAddress> v6 =
                v4.isPresent() ? v4 : literal(host.replace("[", "").replace("]", ""), AddressFamily.IPV6);
        if (v6.isPresent()) {
            return CompletableFuture.completedFuture(v6.get());
        }
        CompletableFuture<InetAddress> out = new CompletableFuture<>();
        resolver().resolve(host).addListener(f -> {
            if (f.isSuccess()) {
                out.complete((InetAddress) f.getNow());
            } else {
                out.completeExceptionally(f.cause());
            }
        });
        return out;
    }

    /** Whether the node's field disables {@code family} (a non-empty value that is not an IP of that family). */
    static boolean disabled(DerpNode node, AddressFamily family) {
        String field = family == AddressFamily.IPV4 ? node.ipv4() : node.ipv6();
        if (field == null || field.isEmpty()) {
            return node.hostName() == null || node.hostName().isEmpty();
        }
        return literal(field, family).isEmpty();
    }

    static Optional<InetAddress> literal(String s, AddressFamily family) {
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(s);
        if (bytes == null || (family == AddressFamily.IPV4) != (bytes.length == 4)) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByAddress(bytes));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static boolean matches(InetAddress a, AddressFamily family) {
        return family == AddressFamily.IPV4 ? a instanceof Inet4Address : a instanceof Inet6Address;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (resolver != null) {
                resolver.close();
            }
        }
    }
}
