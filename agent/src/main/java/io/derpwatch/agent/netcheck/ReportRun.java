package io.derpwatch.agent.netcheck;

import io.derpwatch.agent.derp.DerpRegion;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One netcheck report from start to end: opens the UDP sockets, runs the {@link StunRound}, then the HTTPS
 * fallback (only when no UDP reply came) and the captive-portal check ({@link HttpsChecks}), and assembles the
 * {@link NetcheckReport}, at the latest when the report's hard cap ({@code netcheck.timeout}) fires. Touched only
 * on the event loop.
 */
final class ReportRun {
    private static final Logger LOG = LoggerFactory.getLogger(ReportRun.class);

    private final ProbeEnvironment env;
    private final EventLoop loop;
    private final List<DerpRegion> regions;
    private final Consumer<RegionLatency> progress;
    private final CompletableFuture<NetcheckReport> out;
    private final Instant now;
    private final long startNanos = System.nanoTime();
    private final StunRound stun;
    private final HttpsChecks httpChecks;
    private final List<RegionLatency> https = new ArrayList<>();
    private @Nullable ScheduledFuture<?> cap;
    private @Nullable Channel v4;
    private @Nullable Channel v6;
    private boolean osHasIpv6;
    private Optional<Boolean> captivePortal = Optional.empty();
    private boolean finished;

    /**
     * @param regions the measurable regions
     * @param real    false for a warm-up report: its rejected datagrams are not counted, nothing is logged
     */
    ReportRun(
            ProbeEnvironment env,
            List<DerpRegion> regions,
            Consumer<RegionLatency> progress,
            CompletableFuture<NetcheckReport> out,
            boolean real) {
        this.env = env;
        this.loop = env.loop();
        this.regions = regions;
        this.progress = progress;
        this.out = out;
        this.now = env.clock().instant();
        ReportAddresses addresses = new ReportAddresses(env.resolver());
        this.stun =
                new StunRound(loop, env.settings(), addresses, progress, real ? env.rejected() : null, this::afterStun);
        this.httpChecks = new HttpsChecks(env, addresses);
    }

    void start() {
        cap = loop.schedule(this::finish, env.settings().timeout().toNanos(), TimeUnit.NANOSECONDS);
        ChannelFuture v4Bind = env.settings().ipv4() ? bind(new InetSocketAddress("0.0.0.0", 0)) : null;
        ChannelFuture v6Check = env.settings().ipv6() ? bind(new InetSocketAddress("::1", 0)) : null;
        CompletableFuture<Void> v4Ready = v4Bind == null
                ? CompletableFuture.completedFuture(null)
                : toFuture(v4Bind).thenAccept(ch -> v4 = ch);
        CompletableFuture<Void> v6Ready = v6Check == null
                ? CompletableFuture.completedFuture(null)
                : toFuture(v6Check)
                        .thenCompose(check -> {
                            // tailscale's OSHasIPv6: the OS can bind a socket to ::1
                            osHasIpv6 = true;
                            check.close();
                            return toFuture(bind(new InetSocketAddress("::", 0)));
                        })
                        .thenAccept(ch -> v6 = ch);
        v4Ready.exceptionally(e -> {
                    LOG.warn("netcheck: cannot open an IPv4 UDP socket: {}", e.toString());
                    return null;
                })
                .thenCombine(
                        v6Ready.exceptionally(e -> {
                            LOG.debug("netcheck: no IPv6 UDP socket: {}", e.toString());
                            return null;
                        }),
                        (a, b) -> null)
                .whenComplete((x, e) -> loop.execute(() -> {
                    if (!finished) {
                        stun.start(regions, v4, v6);
                    }
                }));
    }

    private ChannelFuture bind(InetSocketAddress local) {
        return new Bootstrap()
                .group(loop)
                .channel(env.transport().datagramChannel())
                .handler(new StunReplyHandler(stun))
                .bind(local);
    }

    private void afterStun() {
        CompletableFuture<Void> fallback =
                !stun.anyAnswer() && env.settings().httpsFallback().enabled()
                        ? httpChecks.latencies(regions, this::httpsMeasured)
                        : CompletableFuture.completedFuture(null);
        fallback.thenCompose(x -> env.settings().captivePortal().enabled()
                        ? httpChecks.captivePortal(regions, latencies(), portal -> captivePortal = Optional.of(portal))
                        : CompletableFuture.completedFuture(null))
                .whenComplete((x, e) -> loop.execute(this::finish));
    }

    private void httpsMeasured(RegionLatency latency) {
        if (!finished) {
            https.add(latency);
            progress.accept(latency);
        }
    }

    private List<RegionLatency> latencies() {
        List<RegionLatency> all = stun.latencies();
        all.addAll(https);
        return all;
    }

    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        stun.close();
        if (cap != null) {
            cap.cancel(false);
        }
        if (v4 != null) {
            v4.close();
        }
        if (v6 != null) {
            v6.close();
        }
        boolean ipv4 = stun.answered(AddressFamily.IPV4);
        boolean ipv6 = stun.answered(AddressFamily.IPV6);
        out.complete(new NetcheckReport(
                now,
                Duration.ofNanos(System.nanoTime() - startNanos),
                ipv4 || ipv6,
                ipv4,
                ipv6,
                stun.canSend(AddressFamily.IPV4),
                stun.canSend(AddressFamily.IPV6),
                osHasIpv6,
                stun.mappingVariesByDestination(),
                0,
                latencies(),
                stun.globalV4(),
                stun.globalV6(),
                captivePortal,
                regions.stream().map(DerpRegion::id).toList(),
                stun.mappedCounts(AddressFamily.IPV4),
                stun.mappedCounts(AddressFamily.IPV6)));
    }

    private static CompletableFuture<Channel> toFuture(ChannelFuture f) {
        CompletableFuture<Channel> out = new CompletableFuture<>();
        f.addListener(x -> {
            if (f.isSuccess()) {
                out.complete(f.channel());
            } else {
                out.completeExceptionally(f.cause());
            }
        });
        return out;
    }
}
