package io.derpwatch.agent.localapi;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/**
 * The Unix-domain channel type that fits an event-loop group: epoll's {@code EpollDomainSocketChannel} on an
 * epoll group, the JDK-backed {@code NioDomainSocketChannel} (Java 16+ {@code UnixDomainSocketAddress}) on a
 * NIO group.
 */
enum LocalApiTransport {
    EPOLL(EpollDomainSocketChannel.class) {
        @Override
        SocketAddress address(Path socket) {
            return new DomainSocketAddress(socket.toString());
        }
    },
    NIO(NioDomainSocketChannel.class) {
        @Override
        SocketAddress address(Path socket) {
            return UnixDomainSocketAddress.of(socket);
        }
    };

    private final Class<? extends Channel> channelClass;

    LocalApiTransport(Class<? extends Channel> channelClass) {
        this.channelClass = channelClass;
    }

    Class<? extends Channel> channelClass() {
        return channelClass;
    }

    abstract SocketAddress address(Path socket);

    static LocalApiTransport forGroup(EventLoopGroup group) {
        if (group instanceof IoEventLoopGroup io) {
            if (io.isIoType(EpollIoHandler.class)) {
                return EPOLL;
            }
            if (io.isIoType(NioIoHandler.class)) {
                return NIO;
            }
        }
        throw new IllegalArgumentException("the LocalAPI client needs an epoll or NIO event-loop group, got "
                + group.getClass().getName());
    }
}
