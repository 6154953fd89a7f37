package io.derpwatch.agent.netcheck;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpRegion;
import io.derpwatch.agent.net.NettyTransport;
import io.derpwatch.agent.netcheck.stun.StunRejection;
import io.derpwatch.config.NetcheckSettings;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs netcheck reports on one event loop: STUN to every measurable region over IPv4 and IPv6, the HTTPS
 * latency fallback when no UDP reply arrives at all, and the captive-portal check. Nothing here blocks; every
 * report ends by the hard cap at the latest. The preferred region is not chosen here
 * ({@link PreferredRegionSelector} does that, with history).
 */
public final class NetcheckProber implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NetcheckProber.class);

    private final EventLoop loop;
    private final NettyTransport transport;
    private final NetcheckSettings settings;
    private final NodeAddressResolver resolver;
    private final ProbeEnvironment env;
    private CompletableFuture<Void> warmUp;
    static final int WARM_UP_REPORTS = 3;

    /**
     * @param ssl               the TLS client context for the HTTPS fallback (trusting the DERP servers)
     * @param rejected          called on the loop for every datagram that is not accepted
     * @param captivePortalPort the HTTP port of the captive-portal check (80; tests use another)
     */
    public NetcheckProber(
            EventLoop loop,
            NettyTransport transport,
            NetcheckSettings settings,
            SslContext ssl,
            Consumer<StunRejection> rejected,
            Clock clock,
            int captivePortalPort) {
        this(loop, transport, settings, () -> ssl, rejected, clock, captivePortalPort);
    }

    /** @param ssl makes the TLS client context on the first HTTPS request (never, while STUN answers) */
    public NetcheckProber(
            EventLoop loop,
            NettyTransport transport,
            NetcheckSettings settings,
            Supplier<SslContext> ssl,
            Consumer<StunRejection> rejected,
            Clock clock,
            int captivePortalPort) {
        this.loop = loop;
        this.transport = transport;
        this.settings = settings;
        this.resolver = new NodeAddressResolver(loop, transport);
        this.env = new ProbeEnvironment(
                loop,
                transport,
                settings,
                new HttpGetter(loop, transport, ssl, resolver),
                resolver,
                rejected,
                clock,
                captivePortalPort);
    }

    /** Runs one full report over {@code map}; {@code progress} sees each region's latency as it arrives. */
    public CompletableFuture<NetcheckReport> run(DerpMap map, Consumer<RegionLatency> progress) {
        CompletableFuture<NetcheckReport> out = new CompletableFuture<>();
        warmedUp()
                .whenComplete((x, e) -> loop.execute(() -> {
                    try {
                        new ReportRun(env, measurable(map), progress, out, true).start();
                    } catch (RuntimeException ex) {
                        out.completeExceptionally(ex);
                    }
                }));
        return out;
    }

    /**
     * The one-time warm-up, started by the first report: {@value #WARM_UP_REPORTS} throwaway reports against an
     * in-process responder ({@link ProberWarmUp}), bounded by one second. Always completes normally.
     */
    private synchronized CompletableFuture<Void> warmedUp() {
        if (warmUp == null) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            warmUp = done;
            loop.execute(() -> {
                loop.schedule(() -> done.complete(null), 1, TimeUnit.SECONDS);
                ProberWarmUp.startResponder(loop, transport).whenComplete((responder, e) -> {
                    if (e != null) {
                        LOG.debug("netcheck: no warm-up responder: {}", e.toString());
                        done.complete(null);
                        return;
                    }
                    InetSocketAddress at = (InetSocketAddress) responder.localAddress();
                    boolean dual = at.getAddress() instanceof java.net.Inet6Address;
                    List<DerpRegion> synthetic = measurable(ProberWarmUp.map(at.getPort(), dual));
                    CompletableFuture<?> chain = CompletableFuture.completedFuture(null);
                    for (int i = 0; i < WARM_UP_REPORTS; i++) {
                        chain = chain.thenCompose(x -> {
                            CompletableFuture<NetcheckReport> r = new CompletableFuture<>();
                            loop.execute(() -> new ReportRun(env, synthetic, l -> {}, r, false).start());
                            return r;
                        });
                    }
                    chain.whenComplete((x, f) -> {
                        responder.close();
                        done.complete(null);
                    });
                });
            });
        }
        return warmUp;
    }

    HttpGetter http() {
        return env.http();
    }

    /** The regions a report measures: not {@code NoMeasureNoHome}, not {@code Avoid} unless asked, with nodes. */
    List<DerpRegion> measurable(DerpMap map) {
        List<DerpRegion> out = new ArrayList<>();
        for (DerpRegion r : map.regions().values()) {
            if (r.noMeasureNoHome() || r.nodes().isEmpty() || (r.avoid() && !settings.measureAvoidedRegions())) {
                continue;
            }
            out.add(r);
        }
        return out;
    }

    @Override
    public void close() {
        if (loop.inEventLoop()) {
            resolver.close();
            return;
        }
        try {
            loop.execute(resolver::close);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            resolver.close(); // the loop is already shutting down
        }
    }
}
