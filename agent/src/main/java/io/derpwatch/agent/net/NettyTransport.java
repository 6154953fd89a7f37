package io.derpwatch.agent.net;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/**
 * The Netty transport the agent runs on: native epoll on Linux when its library loads, NIO otherwise. Every
 * source, the LocalAPI client and the admin server share the one event loop this creates, and pick their
 * channel classes here so that they always fit it: {@link #forGroup(EventLoopGroup)}.
 */
public record NettyTransport(boolean epoll) {

    /** Epoll when available. */
    public static NettyTransport detect() {
        return new NettyTransport(Epoll.isAvailable());
    }

    /** The transport of an existing group (its channels can only register with loops of the same kind). */
    public static NettyTransport forGroup(EventLoopGroup group) {
        if (group instanceof IoEventLoopGroup io) {
            if (io.isIoType(EpollIoHandler.class)) {
                return new NettyTransport(true);
            }
            if (io.isIoType(NioIoHandler.class)) {
                return new NettyTransport(false);
            }
        }
        throw new IllegalArgumentException("derpwatch needs an epoll or NIO event-loop group, got "
                + group.getClass().getName());
    }

    /** A group of {@code threads} event loops (the agent uses one) with daemon threads named {@code derpwatch-loop}. */
    public EventLoopGroup newGroup(int threads) {
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("derpwatch-loop", true), factory);
    }

    public Class<? extends ServerChannel> serverSocketChannel() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public Class<? extends SocketChannel> socketChannel() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    public Class<? extends DatagramChannel> datagramChannel() {
        return epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }

    /** Unix-domain sockets: epoll's own channel, or the JDK-backed one (Java 16+ {@code UnixDomainSocketAddress}). */
    public Class<? extends Channel> domainSocketChannel() {
        return epoll ? EpollDomainSocketChannel.class : NioDomainSocketChannel.class;
    }

    /** The address {@link #domainSocketChannel()} connects to for {@code socket}. */
    public SocketAddress domainSocketAddress(Path socket) {
        return epoll ? new DomainSocketAddress(socket.toString()) : UnixDomainSocketAddress.of(socket);
    }
}
