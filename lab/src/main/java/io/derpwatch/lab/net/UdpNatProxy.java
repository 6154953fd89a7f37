package io.derpwatch.lab.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A lab UDP proxy in front of STUN servers: each {@link Route} listens on its own loopback address (one per DERP
 * region), adds a known delay to every datagram on its way to the upstream server, and relays replies back from
 * the route's listening address.
 *
 * <p>{@link Mapping#ENDPOINT_INDEPENDENT}: one upstream socket for all routes, so every STUN server sees the
 * same source {@code ip:port} (an easy NAT: {@code MappingVariesByDestIP} false). {@link Mapping#PER_DESTINATION}:
 * a fresh upstream socket (port) per route, so each server sees a different mapping (a symmetric, hard NAT:
 * {@code MappingVariesByDestIP} true). Replies are routed back by the upstream address they come from, so every
 * route needs a distinct upstream address (coturn can listen on several loopback addresses at once).
 */
public final class UdpNatProxy implements AutoCloseable {

    /** How the proxy maps the client onto upstream source ports. */
    public enum Mapping {
        ENDPOINT_INDEPENDENT,
        PER_DESTINATION
    }

    /**
     * One region's path: listen on {@code listen} (port 0 = any), forward to {@code upstream} after {@code delay};
     * {@code drop} discards everything (UDP blocked).
     */
    public record Route(InetSocketAddress listen, InetSocketAddress upstream, Duration delay, boolean drop) {}

    private final AtomicReferenceArray<Duration> delays;
    private final AtomicLongArray forwardedByRoute;

    private final EventLoopGroup group;
    private final List<Route> routes;
    private final List<Channel> listeners = new ArrayList<>();
    private final List<Channel> upstreams = new ArrayList<>();
    private final Map<InetSocketAddress, Integer> routeByUpstream = new HashMap<>();
    private final AtomicReferenceArray<InetSocketAddress> lastClient;
    private final AtomicLong forwarded = new AtomicLong();

    private UdpNatProxy(EventLoopGroup group, List<Route> routes) {
        this.group = group;
        this.routes = List.copyOf(routes);
        this.lastClient = new AtomicReferenceArray<>(routes.size());
        this.delays = new AtomicReferenceArray<>(routes.size());
        this.forwardedByRoute = new AtomicLongArray(routes.size());
        for (int i = 0; i < routes.size(); i++) {
            delays.set(i, routes.get(i).delay());
        }
    }

    /** Binds every route's listener (and the upstream sockets); returns when they are bound. */
    public static UdpNatProxy start(EventLoopGroup group, Mapping mapping, List<Route> routes)
            throws InterruptedException {
        UdpNatProxy p = new UdpNatProxy(group, routes);
        p.bind(mapping);
        return p;
    }

    private void bind(Mapping mapping) throws InterruptedException {
        for (int i = 0; i < routes.size(); i++) {
            if (routeByUpstream.put(routes.get(i).upstream(), i) != null) {
                throw new IllegalArgumentException(
                        "two routes to " + routes.get(i).upstream() + ": replies could not be told apart");
            }
        }
        int sockets = mapping == Mapping.ENDPOINT_INDEPENDENT ? 1 : routes.size();
        for (int i = 0; i < sockets; i++) {
            upstreams.add(udp(new InetSocketAddress("127.0.0.1", 0), new FromUpstream()));
        }
        for (int i = 0; i < routes.size(); i++) {
            listeners.add(udp(
                    routes.get(i).listen(),
                    new FromClient(i, upstreams.get(mapping == Mapping.ENDPOINT_INDEPENDENT ? 0 : i))));
        }
    }

    private Channel udp(InetSocketAddress local, SimpleChannelInboundHandler<DatagramPacket> handler)
            throws InterruptedException {
        return new Bootstrap()
                .group(group)
                .channel(LabEventLoops.datagram())
                .handler(handler)
                .bind(local)
                .sync()
                .channel();
    }

    /** The address a route listens on (put it in the DERP node's IPv4 and STUNPort). */
    public InetSocketAddress address(int route) {
        return (InetSocketAddress) listeners.get(route).localAddress();
    }

    /** Datagrams forwarded upstream so far. */
    public long forwarded() {
        return forwarded.get();
    }

    /** Datagrams forwarded upstream so far on one route. */
    public long forwarded(int route) {
        return forwardedByRoute.get(route);
    }

    /** Changes a route's added delay from now on. */
    public void setDelay(int route, Duration delay) {
        delays.set(route, delay);
    }

    @Override
    public void close() {
        listeners.forEach(Channel::close);
        upstreams.forEach(Channel::close);
    }

    /** Client to upstream: note the client, delay, forward. */
    private final class FromClient extends SimpleChannelInboundHandler<DatagramPacket> {
        private final int route;
        private final Channel upstream;

        FromClient(int route, Channel upstream) {
            this.route = route;
            this.upstream = upstream;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            Route r = routes.get(route);
            if (r.drop()) {
                return;
            }
            lastClient.set(route, packet.sender());
            ByteBuf copy = packet.content().retainedDuplicate();
            Duration delay = delays.get(route);
            Runnable send = () -> {
                forwarded.incrementAndGet();
                forwardedByRoute.incrementAndGet(route);
                upstream.writeAndFlush(new DatagramPacket(copy, r.upstream()));
            };
            if (delay.isZero()) {
                send.run();
            } else {
                upstream.eventLoop().schedule(send, delay.toNanos(), TimeUnit.NANOSECONDS);
            }
        }
    }

    /** Upstream to client: the reply's source tells the route; it goes back out of that route's listener. */
    private final class FromUpstream extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            Integer route = routeByUpstream.get(packet.sender());
            InetSocketAddress client = route == null ? null : lastClient.get(route);
            if (client == null) {
                return;
            }
            listeners
                    .get(route)
                    .writeAndFlush(new DatagramPacket(packet.content().retain(), client));
        }
    }
}
