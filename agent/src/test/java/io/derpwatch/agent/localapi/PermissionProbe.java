package io.derpwatch.agent.localapi;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Run in a child JVM as an unprivileged user by {@link PermissionDeniedSocketTest}: asks the LocalAPI at
 * {@code args[0]} for its status with the {@code args[1]} transport ({@code epoll} or {@code nio}) and prints
 * {@code ok} or the error kind's wire name on the last line of stdout.
 */
public final class PermissionProbe {
    private PermissionProbe() {}

    public static void main(String[] args) throws Exception {
        boolean epoll = args[1].equals("epoll") && Epoll.isAvailable();
        EventLoopGroup group =
                new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try {
            LocalApiClient client = new LocalApiClient(group, Path.of(args[0]), Duration.ofSeconds(5), 1 << 20);
            client.get("/localapi/v0/status?peers=false").get(10, TimeUnit.SECONDS);
            System.out.println("ok");
        } catch (ExecutionException e) {
            System.out.println(
                    e.getCause() instanceof LocalApiException l
                            ? l.kind().wireName()
                            : e.getCause().toString());
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
