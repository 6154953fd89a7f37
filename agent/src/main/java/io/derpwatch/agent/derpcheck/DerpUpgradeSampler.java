package io.derpwatch.agent.derpcheck;

import io.derpwatch.agent.net.NettyTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Checks one DERP node from this node, on the agent's event loop and without blocking it: DNS (unless the DERP
 * map gives an IP) → TCP connect → TLS handshake (server name and certificate checked against
 * {@code HostName}) → {@code GET /derp} with {@code Upgrade: DERP} and {@code Connection: Upgrade} →
 * {@code 101 Switching Protocols} → the server-key frame, then closes. Each step is timed on the injected
 * monotonic clock; the first step that fails, or is still running when the timeout expires, is the result's
 * failed step. Every check does a full TLS handshake ({@link DerpCheckTls}: no session resumed, so the certificate
 * is checked each time). Sends no client key: read-only.
 */
public final class DerpUpgradeSampler {
    /** Resolves a host name without blocking (Netty's DNS resolver in the agent; anything in tests). */
    public interface HostResolver {
        CompletableFuture<InetAddress> resolve(String host);
    }

    private final EventLoop loop;
    private final NettyTransport transport;
    private final CompletableFuture<DerpCheckTls> tls;
    private final HostResolver resolver;
    private final Duration timeout;
    private final LongSupplier nanoClock;

    /** A sampler whose TLS side ({@code tls}) checks the certificate as configured. */
    public DerpUpgradeSampler(
            EventLoop loop,
            NettyTransport transport,
            DerpCheckTls tls,
            HostResolver resolver,
            Duration timeout,
            LongSupplier nanoClock) {
        this(
                loop,
                transport,
                CompletableFuture.completedFuture(Objects.requireNonNull(tls)),
                resolver,
                timeout,
                nanoClock);
    }

    /**
     * A sampler whose TLS side is still being built ({@link DerpCheckTls#inBackground}): a check starts (and its
     * timeout runs) once it is there; if it could not be built, every check fails at {@link DerpCheckStep#TLS}.
     */
    DerpUpgradeSampler(
            EventLoop loop,
            NettyTransport transport,
            CompletableFuture<DerpCheckTls> tls,
            HostResolver resolver,
            Duration timeout,
            LongSupplier nanoClock) {
        this.loop = Objects.requireNonNull(loop);
        this.transport = Objects.requireNonNull(transport);
        this.tls = Objects.requireNonNull(tls);
        this.resolver = Objects.requireNonNull(resolver);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("DERP check timeout must be positive: " + timeout);
        }
        this.timeout = timeout;
        this.nanoClock = Objects.requireNonNull(nanoClock);
    }

    /** How long one check may take. */
    Duration timeout() {
        return timeout;
    }

    /** Runs {@code task} on the sampler's loop after {@code delay}. */
    void schedule(Runnable task, Duration delay) {
        loop.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Runs one check; the future always completes normally, with a reachable or a failed result. */
    public CompletableFuture<DerpCheckResult> check(DerpCheckTarget target) {
        Check c = new Check(target);
        tls.whenComplete((t, failure) -> loop.execute(() -> {
            if (t != null) {
                c.start(t);
            } else {
                c.fail(DerpCheckStep.TLS, "no TLS client: " + failure);
            }
        }));
        return c.result;
    }

    /** One check's state, touched only on {@link #loop}. */
    private final class Check {
        private final DerpCheckTarget target;
        private final CompletableFuture<DerpCheckResult> result = new CompletableFuture<>();
        private final Map<DerpCheckStep, Duration> durations = new EnumMap<>(DerpCheckStep.class);
        private DerpCheckStep step = DerpCheckStep.DNS;
        private long stepStart;
        private @Nullable Channel channel;
        private @Nullable ScheduledFuture<?> deadline;
        private @Nullable DerpCheckTls client;

        Check(DerpCheckTarget target) {
            this.target = target;
        }

        void start(DerpCheckTls tlsClient) {
            client = tlsClient;
            stepStart = nanoClock.getAsLong();
            deadline = loop.schedule(
                    () -> fail(step, "no answer within " + timeout), timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (!target.address().isEmpty()) {
                try {
                    InetAddress ip = InetAddress.getByName(target.address()); // an IP literal: no lookup
                    stepDone(DerpCheckStep.TCP);
                    connect(ip);
                } catch (java.net.UnknownHostException e) {
                    fail(DerpCheckStep.DNS, "not an IP address: " + target.address());
                }
                return;
            }
            CompletableFuture<InetAddress> resolved;
            try {
                resolved = resolver.resolve(target.hostName());
            } catch (RuntimeException e) {
                resolved = CompletableFuture.failedFuture(e);
            }
            resolved.whenComplete((ip, failure) -> loop.execute(() -> {
                if (failure != null || ip == null) {
                    fail(DerpCheckStep.DNS, "cannot resolve " + target.hostName() + ": " + failure);
                    return;
                }
                stepDone(DerpCheckStep.TCP);
                connect(ip);
            }));
        }

        private void connect(InetAddress ip) {
            if (result.isDone()) {
                return;
            }
            ChannelFuture connect = new Bootstrap()
                    .group(loop)
                    .channel(transport.socketChannel())
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                    .handler(new ChannelInboundHandlerAdapter())
                    .connect(new InetSocketAddress(ip, target.port()));
            channel = connect.channel();
            connect.addListener((ChannelFuture f) -> {
                if (!f.isSuccess()) {
                    fail(DerpCheckStep.TCP, String.valueOf(f.cause()));
                    return;
                }
                stepDone(DerpCheckStep.TLS);
                SslHandler ssl =
                        new SslHandler(Objects.requireNonNull(client).newEngine(target.hostName(), target.port()));
                // a TLS failure is reported by the handshake future; the handler after it only ends the channel
                f.channel().pipeline().addLast(ssl, new CloseOnError());
                ssl.handshakeFuture().addListener(this::handshaken);
            });
        }

        private void handshaken(Future<? super Channel> f) {
            Channel ch = channel;
            if (ch == null || result.isDone()) {
                return;
            }
            if (!f.isSuccess()) {
                fail(DerpCheckStep.TLS, String.valueOf(f.cause()));
                return;
            }
            stepDone(DerpCheckStep.HTTP);
            ch.pipeline().addLast(new UpgradeReplyHandler(new UpgradeReplyHandler.Listener() {
                @Override
                public void upgraded() {
                    stepDone(DerpCheckStep.NO_SERVER_KEY);
                }

                @Override
                public void serverKey() {
                    stepDone(null);
                    finish(Optional.empty(), "");
                }

                @Override
                public void failed(DerpCheckStep at, String error) {
                    fail(at, error);
                }
            }));
            String request = "GET /derp HTTP/1.1\r\n" + "Host: " + target.hostName() + "\r\n" + "Upgrade: DERP\r\n"
                    + "Connection: Upgrade\r\n" + "User-Agent: derpwatch\r\n\r\n";
            ch.writeAndFlush(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII))
                    .addListener((ChannelFuture w) -> {
                        if (!w.isSuccess()) {
                            fail(DerpCheckStep.HTTP, String.valueOf(w.cause()));
                        }
                    });
        }

        /** The current step finished now; {@code next} starts (null: the last one finished). */
        private void stepDone(@Nullable DerpCheckStep next) {
            long now = nanoClock.getAsLong();
            durations.put(step, Duration.ofNanos(now - stepStart));
            stepStart = now;
            if (next != null) {
                step = next;
            }
        }

        private void fail(DerpCheckStep at, String error) {
            durations.remove(at);
            finish(Optional.of(at), error);
        }

        private void finish(Optional<DerpCheckStep> failed, String error) {
            if (result.isDone()) {
                return;
            }
            if (deadline != null) {
                deadline.cancel(false);
            }
            Channel ch = channel;
            if (ch != null) {
                ch.close();
            }
            result.complete(new DerpCheckResult(target, failed, error, durations));
        }
    }

    /** Closes the channel on an exception instead of letting it reach the pipeline's tail (a WARN log there). */
    private static final class CloseOnError extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
