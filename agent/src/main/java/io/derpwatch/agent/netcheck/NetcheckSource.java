package io.derpwatch.agent.netcheck;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpMapCodec;
import io.derpwatch.agent.derp.DerpMapException;
import io.derpwatch.agent.net.NettyTransport;
import io.derpwatch.agent.source.PolledSource;
import io.derpwatch.agent.source.SampleContext;
import io.derpwatch.agent.source.SourceError;
import io.derpwatch.agent.state.StateStore;
import io.derpwatch.config.NetcheckSettings;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.opentelemetry.api.metrics.Meter;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The netcheck source: one sample is one full report over every measurable DERP region, yielding a
 * {@link NetcheckSnapshot}. Before a report, the DERP map is (re)loaded when there is none yet or it is older
 * than {@code derp-map.refresh-interval}; a failed reload keeps the last good map. With
 * {@code derp-map.source = localapi} the map is the node's, as the DERP map source last read it.
 */
public final class NetcheckSource implements PolledSource<NetcheckSnapshot> {
    private static final Logger LOG = LoggerFactory.getLogger(NetcheckSource.class);
    static final String NAME = "netcheck";

    private final EventLoop loop;
    private final NetcheckSettings settings;
    private final NetcheckProber prober;
    private final DerpMapLoader loader;
    private final NetcheckInstruments instruments;
    private final PreferredRegionSelector selector;
    private final Clock clock;
    // confined to loop
    private @Nullable DerpMap map;
    private long mapLoadedAt;

    /**
     * @param nodeMap the node's DERP map (for {@code derp-map.source = localapi}), or null to use the URL
     * @throws IllegalArgumentException when the configured extra regions do not parse (the settings loader
     *                                  has already checked their shape)
     */
    public NetcheckSource(
            EventLoop loop,
            NettyTransport transport,
            NetcheckSettings settings,
            Meter meter,
            StateStore state,
            @Nullable Supplier<CompletableFuture<DerpMap>> nodeMap) {
        this(loop, transport, settings, meter, state, nodeMap, NetcheckSource::defaultSsl, Clock.systemUTC(), 80);
    }

    NetcheckSource(
            EventLoop loop,
            NettyTransport transport,
            NetcheckSettings settings,
            Meter meter,
            StateStore state,
            @Nullable Supplier<CompletableFuture<DerpMap>> nodeMap,
            Supplier<SslContext> ssl,
            Clock clock,
            int captivePortalPort) {
        this.loop = loop;
        this.settings = settings;
        this.clock = clock;
        this.instruments = new NetcheckInstruments(meter, state, settings.reportPublicAddresses());
        this.prober =
                new NetcheckProber(loop, transport, settings, ssl, instruments::rejected, clock, captivePortalPort);
        try {
            DerpMapCodec codec = new DerpMapCodec();
            this.loader = nodeMap == null
                    ? new DerpMapLoader(settings.derpMap(), codec, null, prober.http(), ForkJoinPool.commonPool())
                    : DerpMapLoader.forNodeMap(
                            settings.derpMap(), codec, nodeMap, prober.http(), ForkJoinPool.commonPool());
        } catch (DerpMapException e) {
            prober.close();
            instruments.close();
            throw new IllegalArgumentException("derpwatch.netcheck.derp-map.regions: " + e.getMessage(), e);
        }
        this.selector = new PreferredRegionSelector(settings.preferredHistory());
    }

    /** The JDK's default trust store, with host-name verification (set per connection). */
    public static SslContext defaultSsl() {
        try {
            return SslContextBuilder.forClient().build();
        } catch (SSLException e) {
            throw new IllegalStateException("no TLS client context: " + e.getMessage(), e);
        }
    }

    /** {@code netcheck.interval}. */
    java.time.Duration interval() {
        return settings.interval();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public CompletableFuture<NetcheckSnapshot> sample(SampleContext context) {
        return mapForReport(context).thenCompose(m -> {
            if (m == null || m.isEmpty()) {
                instruments.failed();
                return CompletableFuture.completedFuture(NetcheckSnapshot.none(m == null ? DerpMap.EMPTY : m));
            }
            return prober.run(m, l -> {})
                    .handleAsync(
                            (report, e) -> {
                                if (e != null) {
                                    rethrowError(e);
                                    instruments.failed();
                                    context.error(SourceError.of(
                                            "report", "netcheck report failed: " + DerpMapLoader.rootMessage(e)));
                                    return NetcheckSnapshot.none(m);
                                }
                                NetcheckReport selected = selector.select(report, m, clock.instant());
                                instruments.reported(selected);
                                LOG.debug("netcheck: {}", selected);
                                return NetcheckSnapshot.of(selected, m);
                            },
                            loop);
        });
    }

    @Override
    public void close() {
        prober.close();
        instruments.close();
    }

    /** The map: the loaded one, or a (re)load when there is none yet or it is due; on the loop. */
    private CompletableFuture<@Nullable DerpMap> mapForReport(SampleContext context) {
        long now = context.clock().monotonicNanos();
        if (map != null
                && now - mapLoadedAt < settings.derpMap().refreshInterval().toNanos()) {
            return CompletableFuture.completedFuture(map);
        }
        return loader.load()
                .handleAsync(
                        (m, e) -> {
                            if (e == null) {
                                if (map == null || !map.equals(m)) {
                                    LOG.info(
                                            "netcheck: DERP map with {} regions",
                                            m.regions().size());
                                }
                                map = m;
                                mapLoadedAt = context.clock().monotonicNanos();
                                instruments.mapLoaded(m);
                            } else {
                                rethrowError(e);
                                String message = DerpMapLoader.rootMessage(e);
                                context.error(SourceError.of(
                                        "derp_map",
                                        map == null
                                                ? "DERP map unavailable: " + message
                                                : "DERP map refresh failed, keeping the last good map: " + message));
                            }
                            return map;
                        },
                        loop);
    }

    /** An {@link Error} (out of memory) is the supervisor's: it must not become a "report failed". */
    private static void rethrowError(Throwable e) {
        Throwable t = e;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof Error err) {
            throw err;
        }
    }
}
