package io.derpwatch.lab.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A minimal STUN server for the lab when coturn is not installed: answers an RFC 5389 Binding request with a
 * Binding success carrying XOR-MAPPED-ADDRESS (the sender's address), ignores everything else. Tests use coturn,
 * the real peer; this keeps {@code derpwatch demo} measuring on any machine.
 */
public final class LabStunResponder implements AutoCloseable {
    private static final int MAGIC_COOKIE = 0x2112A442;

    private final List<Channel> channels;
    private final AtomicLong answered;

    private LabStunResponder(List<Channel> channels, AtomicLong answered) {
        this.channels = channels;
        this.answered = answered;
    }

    /** Listens on one UDP port (chosen by the system) on each of {@code addresses}. */
    public static LabStunResponder start(EventLoopGroup group, List<InetAddress> addresses) {
        AtomicLong answered = new AtomicLong();
        List<Channel> channels = new ArrayList<>();
        try {
            for (InetAddress a : addresses) {
                channels.add(new Bootstrap()
                        .group(group)
                        .channel(LabEventLoops.datagram())
                        .handler(new BindingHandler(answered))
                        .bind(new InetSocketAddress(a, 0))
                        .syncUninterruptibly()
                        .channel());
            }
        } catch (RuntimeException e) {
            channels.forEach(Channel::close);
            throw e;
        }
        return new LabStunResponder(List.copyOf(channels), answered);
    }

    /** Where the responder listens on the {@code i}-th address given to {@link #start}. */
    public InetSocketAddress address(int i) {
        return (InetSocketAddress) channels.get(i).localAddress();
    }

    /** How many Binding requests have been answered. */
    public long answered() {
        return answered.get();
    }

    @Override
    public void close() {
        channels.forEach(c -> c.close().awaitUninterruptibly());
    }

    private static final class BindingHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        private final AtomicLong answered;

        BindingHandler(AtomicLong answered) {
            this.answered = answered;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            ByteBuf in = packet.content();
            if (in.readableBytes() < 20
                    || in.getUnsignedShort(in.readerIndex()) != 0x0001
                    || in.getInt(in.readerIndex() + 4) != MAGIC_COOKIE) {
                return; // not a Binding request: a STUN server stays silent
            }
            InetSocketAddress from = packet.sender();
            byte[] ip = from.getAddress().getAddress();
            ByteBuf out = ctx.alloc().buffer(32 + ip.length);
            out.writeShort(0x0101).writeShort(4 + 4 + ip.length).writeInt(MAGIC_COOKIE);
            out.writeBytes(in, in.readerIndex() + 8, 12); // transaction id
            out.writeShort(0x0020).writeShort(4 + ip.length); // XOR-MAPPED-ADDRESS
            out.writeByte(0).writeByte(from.getAddress() instanceof Inet4Address ? 1 : 2);
            out.writeShort(from.getPort() ^ (MAGIC_COOKIE >>> 16));
            byte[] key = new byte[16];
            key[0] = 0x21;
            key[1] = 0x12;
            key[2] = (byte) 0xA4;
            key[3] = 0x42;
            in.getBytes(in.readerIndex() + 8, key, 4, 12);
            for (int i = 0; i < ip.length; i++) {
                out.writeByte(ip[i] ^ key[i]);
            }
            answered.incrementAndGet();
            ctx.writeAndFlush(new DatagramPacket(out, from));
        }
    }
}
