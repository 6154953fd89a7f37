package io.derpwatch.agent.netcheck;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpNode;
import io.derpwatch.agent.derp.DerpRegion;
import io.derpwatch.agent.net.NettyTransport;
import io.derpwatch.agent.netcheck.stun.StunCodec;
import io.derpwatch.agent.netcheck.stun.TransactionId;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * An in-process STUN responder on loopback for the prober's warm-up: a few throwaway reports against it before
 * the first real one, so class loading and the first JIT compilations do not land inside measured round trips (in
 * a fresh JVM they add 10-20 ms to the first report's latencies, which matters most to the one-shot CLI).
 */
final class ProberWarmUp {
    private ProberWarmUp() {}

    /**
     * Binds a responder on {@code [::]} (dual-stack: reachable at 127.0.0.1 and ::1 on the same port), or on
     * 127.0.0.1 when the OS has no IPv6. Completes with the bound channel; exceptionally when neither binds.
     */
    static CompletableFuture<Channel> startResponder(EventLoop loop, NettyTransport transport) {
        CompletableFuture<Channel> out = new CompletableFuture<>();
        bind(loop, transport, new InetSocketAddress("::", 0)).addListener(v6 -> {
            if (v6.isSuccess()) {
                out.complete(((ChannelFuture) v6).channel());
                return;
            }
            bind(loop, transport, new InetSocketAddress("127.0.0.1", 0)).addListener(v4 -> {
                if (v4.isSuccess()) {
                    out.complete(((ChannelFuture) v4).channel());
                } else {
                    out.completeExceptionally(v4.cause());
                }
            });
        });
        return out;
    }

    /** Four synthetic regions whose nodes are the responder at {@code port} (IPv6 too when {@code dual}). */
    static DerpMap map(int port, boolean dual) {
        TreeMap<Integer, DerpRegion> regions = new TreeMap<>();
        for (int id = 1; id <= 4; id++) {
            regions.put(
                    id,
                    new DerpRegion(
                            id,
                            "warm" + id,
                            "warm-up",
                            false,
                            false,
                            List.of(new DerpNode(
                                    "w" + id, id, "", "127.0.0.1", dual ? "::1" : "none", port, true, 0, false))));
        }
        return new DerpMap(regions, Map.of(), false);
    }

    private static ChannelFuture bind(EventLoop loop, NettyTransport transport, InetSocketAddress local) {
        return new Bootstrap()
                .group(loop)
                .channel(transport.datagramChannel())
                .handler(new Responder())
                .bind(local);
    }

    /** Answers every datagram that has a STUN header with a Binding success response, as a STUN server does. */
    private static final class Responder extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            TransactionId tx = StunCodec.transactionId(packet.content());
            if (tx != null) {
                ByteBuf reply = ctx.alloc().buffer(48);
                StunCodec.writeBindingSuccess(tx, packet.sender(), reply);
                ctx.writeAndFlush(new DatagramPacket(reply, packet.sender()));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // a warm-up peer: nothing to report
        }
    }
}
