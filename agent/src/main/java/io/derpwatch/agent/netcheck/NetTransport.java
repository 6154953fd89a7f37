package io.derpwatch.agent.netcheck;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/** The UDP and TCP channel classes that fit an event loop (epoll or NIO). */
public record NetTransport(Class<? extends DatagramChannel> datagram, Class<? extends SocketChannel> socket) {
    public static final NetTransport NIO = new NetTransport(NioDatagramChannel.class, NioSocketChannel.class);
    public static final NetTransport EPOLL = new NetTransport(EpollDatagramChannel.class, EpollSocketChannel.class);

    /** The transport whose channels can register with {@code group}'s loops. */
    public static NetTransport forGroup(EventLoopGroup group) {
        if (group.next() instanceof IoEventLoop loop && loop.isIoType(EpollIoHandler.class)) {
            return EPOLL;
        }
        return NIO;
    }
}
