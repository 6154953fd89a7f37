package io.derpwatch.agent.derpcheck;

import io.derpwatch.agent.net.NettyTransport;
import io.netty.channel.EventLoop;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The agent's {@link DerpUpgradeSampler.HostResolver}: Netty's non-blocking DNS resolver on the event loop,
 * IPv4 preferred, made on the first name to resolve (most DERP maps carry IPs). Close it with the agent.
 */
public final class DnsHostResolver implements DerpUpgradeSampler.HostResolver, AutoCloseable {
    private final EventLoop loop;
    private final NettyTransport transport;
    private @Nullable DnsNameResolver resolver;

    public DnsHostResolver(EventLoop loop, NettyTransport transport) {
        this.loop = loop;
        this.transport = transport;
    }

    private synchronized DnsNameResolver resolver() {
        DnsNameResolver r = resolver;
        if (r == null) {
            r = new DnsNameResolverBuilder(loop)
                    .datagramChannelType(transport.datagramChannel())
                    .socketChannelType(transport.socketChannel())
                    .resolvedAddressTypes(ResolvedAddressTypes.IPV4_PREFERRED)
                    .build();
            resolver = r;
        }
        return r;
    }

    @Override
    public CompletableFuture<InetAddress> resolve(String host) {
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

    @Override
    public synchronized void close() {
        if (resolver != null) {
            resolver.close();
            resolver = null;
        }
    }
}
