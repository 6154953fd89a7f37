package io.derpwatch.agent.admin;

import io.derpwatch.agent.net.NettyTransport;
import io.derpwatch.agent.telemetry.PrometheusScrape;
import io.derpwatch.agent.view.ViewSource;
import io.derpwatch.config.AdminSettings;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP server: {@code /healthz} and {@code /readyz} for Kubernetes probes, the status page {@code /} and
 * {@code /api/state}, and {@code /metrics} when the Prometheus endpoint is on. It runs on an event loop of its own
 * (one thread, never shared with the sources), so no flood of connections can delay a sample; it serves at most
 * {@code admin.max-connections} connections at once (one more is closed as soon as it is accepted), closes a
 * connection idle for {@code admin.idle-timeout}, and reads at most {@link #MAX_REQUEST_BYTES} of one request.
 */
public final class AdminServer implements AutoCloseable {
    /** Largest request accepted (request line, headers and body together, roughly); a larger one gets 413/431. */
    static final int MAX_REQUEST_BYTES = 8192;

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    private final EventLoopGroup group;
    private final Channel channel;
    private final ConnectionLimiter limiter;

    private AdminServer(EventLoopGroup group, Channel channel, ConnectionLimiter limiter) {
        this.group = group;
        this.channel = channel;
        this.limiter = limiter;
    }

    /**
     * Binds the server on a new one-thread event loop of its own (blocking only for the bind, at start-up).
     *
     * @param readiness null when ready, else why not (shown by {@code /readyz})
     * @param liveness  null when alive, else why not (shown by {@code /healthz})
     */
    public static AdminServer start(
            AdminSettings settings, NettyTransport transport, Supplier<String> readiness, Supplier<String> liveness)
            throws InterruptedException {
        return start(settings, transport, readiness, liveness, null, null);
    }

    /**
     * Binds the server with the status page and {@code /api/state} (when {@code view} is given) and
     * {@code /metrics} (when {@code prometheus} is given).
     */
    public static AdminServer start(
            AdminSettings settings,
            NettyTransport transport,
            Supplier<String> readiness,
            Supplier<String> liveness,
            @Nullable ViewSource view,
            @Nullable PrometheusScrape prometheus)
            throws InterruptedException {
        byte[] page = view == null ? null : StatusPageHandler.page(); // fail at start, not on the first visit
        EventLoopGroup group = transport.newGroup(1);
        keepAsleep(group);
        ConnectionLimiter limiter = new ConnectionLimiter(settings.maxConnections());
        long idleMillis = Math.max(1, settings.idleTimeout().toMillis());
        try {
            ServerBootstrap b = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverSocketChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline()
                                    .addLast(
                                            limiter,
                                            new ReadTimeoutHandler(idleMillis, TimeUnit.MILLISECONDS),
                                            new HttpServerCodec(MAX_REQUEST_BYTES / 2, MAX_REQUEST_BYTES, 4096),
                                            new HttpObjectAggregator(MAX_REQUEST_BYTES));
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
            Channel ch = bind(b, settings);
            AdminServer server = new AdminServer(group, ch, limiter);
            LOG.info(
                    "admin server listening on http://{}:{} (/healthz, /readyz{}{}; at most {} connections)",
                    settings.host(),
                    server.port(),
                    view == null ? "" : ", status page /, /api/state",
                    prometheus == null ? "" : ", /metrics",
                    settings.maxConnections());
            return server;
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /**
     * Binds {@code derpwatch.admin.host:port}; a port in use (or any bind failure) is an error that names the
     * address. Netty's {@code sync()} rethrows the failure's cause as it is, a checked exception it does not declare
     * (e.g. a native {@code bind(..) failed: Address already in use}), which would otherwise pass every
     * {@code catch} of a runtime exception on the way up.
     */
    private static Channel bind(ServerBootstrap b, AdminSettings settings) throws InterruptedException {
        try {
            return b.bind(new InetSocketAddress(settings.host(), settings.port()))
                    .sync()
                    .channel();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(
                    "derpwatch.admin: cannot listen on " + settings.host() + ":" + settings.port() + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * Netty 4.2's event loop wakes up every second while nothing is scheduled on it (its purge interval); this
     * loop only waits for connections, so give it a far-off task and it sleeps until one comes. Each wake-up
     * cost ~0.2 ms of CPU interpreted (as that code runs under the launcher's flags): 0.02 % of a core for nothing (docs/benchmarks.md).
     */
    private static void keepAsleep(EventLoopGroup group) {
        for (EventExecutor loop : group) {
            loop.scheduleAtFixedRate(() -> {}, 1, 1, TimeUnit.HOURS);
        }
    }

    /** The bound port (useful with {@code port = 0}). */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Connections refused so far because {@code admin.max-connections} were open. */
    long refused() {
        return limiter.refused();
    }

    /** Stops listening and stops the server's loop, waiting at most {@code deadline} for either. */
    public void close(Duration deadline) {
        long until = System.nanoTime() + deadline.toNanos();
        if (!channel.close().awaitUninterruptibly(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            LOG.warn("admin server did not close its listener within {}", deadline);
        }
        if (!group.shutdownGracefully(0, 1, TimeUnit.SECONDS)
                .awaitUninterruptibly(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            LOG.warn("admin server loop did not stop within {}", deadline);
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(2));
    }
}
