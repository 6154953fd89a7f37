package io.derpwatch.agent.netcheck;

import io.derpwatch.agent.netcheck.stun.StunCodec;
import io.derpwatch.agent.netcheck.stun.StunRejection;
import io.derpwatch.agent.netcheck.stun.StunResponse;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Decodes every datagram on a netcheck socket and hands the result to the running report; never throws. */
final class StunReplyHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private static final Logger LOG = LoggerFactory.getLogger(StunReplyHandler.class);

    /** What the report does with a decoded datagram. */
    interface Sink {
        void onResponse(StunResponse response, InetSocketAddress sender, long receivedNanos);

        void onRejected(StunRejection reason, InetSocketAddress sender);
    }

    private final Sink sink;

    StunReplyHandler(Sink sink) {
        this.sink = sink;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        long received = System.nanoTime();
        Object decoded = StunCodec.decode(packet.content());
        if (decoded instanceof StunResponse response) {
            sink.onResponse(response, packet.sender(), received);
        } else {
            sink.onRejected((StunRejection) decoded, packet.sender());
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // e.g. ICMP port unreachable surfaced on a connected socket: the probe simply goes unanswered
        LOG.debug("netcheck UDP socket error: {}", cause.toString());
    }
}
