package io.derpwatch.agent.netcheck;

import io.derpwatch.agent.net.NettyTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A hostile STUN "server" for tests: to every Binding request it answers only with forgeries — a reply with a
 * wrong transaction id, the right transaction id from another address, one with a truncated attribute, and one
 * with a bad magic cookie — and never with a valid reply.
 */
final class SpoofingStunServer implements AutoCloseable {
    private final Channel main;
    private final Channel other;

    private SpoofingStunServer(Channel main, Channel other) {
        this.main = main;
        this.other = other;
    }

    static SpoofingStunServer start(EventLoopGroup group, InetAddress address, InetAddress otherAddress)
            throws InterruptedException {
        Channel other = new Bootstrap()
                .group(group)
                .channel(io.derpwatch.agent.net.NettyTransport.forGroup(group).datagramChannel())
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket msg) {}
                })
                .bind(new InetSocketAddress(otherAddress, 0))
                .sync()
                .channel();
        Channel[] holder = new Channel[1];
        Channel main = new Bootstrap()
                .group(group)
                .channel(NettyTransport.forGroup(group).datagramChannel())
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket req) {
                        ByteBuf in = req.content();
                        if (in.readableBytes() < 20) {
                            return;
                        }
                        byte[] tx = new byte[12];
                        in.getBytes(8, tx);
                        byte[] wrongTx = tx.clone();
                        wrongTx[0] ^= 0x55;
                        InetSocketAddress to = req.sender();
                        ctx.writeAndFlush(new DatagramPacket(reply(ctx, wrongTx, 0x2112A442, false), to));
                        other.writeAndFlush(new DatagramPacket(reply(ctx, tx, 0x2112A442, false), to));
                        ctx.writeAndFlush(new DatagramPacket(reply(ctx, tx, 0x2112A442, true), to));
                        ctx.writeAndFlush(new DatagramPacket(reply(ctx, tx, 0x12345678, false), to));
                    }
                })
                .bind(new InetSocketAddress(address, 0))
                .sync()
                .channel();
        holder[0] = main;
        return new SpoofingStunServer(main, other);
    }

    private static ByteBuf reply(ChannelHandlerContext ctx, byte[] tx, int cookie, boolean truncated) {
        ByteBuf b = ctx.alloc().buffer();
        b.writeShort(0x0101).writeShort(12).writeInt(cookie).writeBytes(tx);
        // XOR-MAPPED-ADDRESS 203.0.113.9:4242 (value xored with the cookie)
        b.writeShort(0x0020).writeShort(truncated ? 16 : 8);
        b.writeByte(0).writeByte(1).writeShort(4242 ^ 0x2112).writeInt(0xCB007109 ^ 0x2112A442);
        return b;
    }

    InetSocketAddress address() {
        return (InetSocketAddress) main.localAddress();
    }

    @Override
    public void close() {
        main.close();
        other.close();
    }
}
