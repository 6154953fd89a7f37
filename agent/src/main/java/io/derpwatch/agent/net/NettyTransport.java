package io.derpwatch.agent.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The Netty transport the agent runs on: native epoll on Linux when its library loads, NIO otherwise.
 * Every source, the LocalAPI client and the admin server share the one event loop this creates.
 */
public record NettyTransport(boolean epoll) {

    /** Epoll when available. */
    public static NettyTransport detect() {
        return new NettyTransport(Epoll.isAvailable());
    }

    /** A group of {@code threads} event loops (the agent uses one) with daemon threads named {@code derpwatch-loop}. */
    public EventLoopGroup newGroup(int threads) {
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("derpwatch-loop", true), factory);
    }

    public Class<? extends ServerChannel> serverSocketChannel() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }
}
