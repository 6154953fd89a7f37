package io.derpwatch.agent.admin;

import io.derpwatch.agent.net.NettyTransport;
import io.derpwatch.agent.telemetry.PrometheusScrape;
import io.derpwatch.agent.view.ViewSource;
import io.derpwatch.config.AdminSettings;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP server on the agent's event loop: {@code /healthz} and {@code /readyz} for Kubernetes probes, the
 * status page {@code /} and {@code /api/state}, and {@code /metrics} when the Prometheus endpoint is on.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    private final Channel channel;

    private AdminServer(Channel channel) {
        this.channel = channel;
    }

    /**
     * Binds the server (blocking only for the bind, at start-up).
     *
     * @param readiness null when ready, else why not (shown by {@code /readyz})
     * @param liveness  null when alive, else why not (shown by {@code /healthz})
     */
    public static AdminServer start(
            AdminSettings settings,
            NettyTransport transport,
            EventLoopGroup group,
            Supplier<String> readiness,
            Supplier<String> liveness)
            throws InterruptedException {
        return start(settings, transport, group, readiness, liveness, null, null);
    }

    /**
     * Binds the server with the status page and {@code /api/state} (when {@code view} is given) and
     * {@code /metrics} (when {@code prometheus} is given).
     */
    public static AdminServer start(
            AdminSettings settings,
            NettyTransport transport,
            EventLoopGroup group,
            Supplier<String> readiness,
            Supplier<String> liveness,
            @Nullable ViewSource view,
            @Nullable PrometheusScrape prometheus)
            throws InterruptedException {
        byte[] page = view == null ? null : StatusPageHandler.page(); // fail at start, not on the first visit
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(transport.serverSocketChannel())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(4096, 8192, 8192), new HttpObjectAggregator(8192));
                        // --- status page, /api/state, /metrics: each passes what is not its own along ---
                        if (prometheus != null) {
                            ch.pipeline().addLast(new MetricsHandler(prometheus));
                        }
                        if (view != null) {
                            ch.pipeline().addLast(new StatusPageHandler(view, page));
                        }
                        ch.pipeline().addLast(new HealthHandler(readiness, liveness));
                    }
                });
        Channel ch = b.bind(new InetSocketAddress(settings.host(), settings.port()))
                .sync()
                .channel();
        AdminServer server = new AdminServer(ch);
        LOG.info(
                "admin server listening on http://{}:{} (/healthz, /readyz{}{})",
                settings.host(),
                server.port(),
                view == null ? "" : ", status page /, /api/state",
                prometheus == null ? "" : ", /metrics");
        return server;
    }

    /** The bound port (useful with {@code port = 0}). */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
