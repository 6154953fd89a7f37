package io.derpwatch.agent.netcheck;

import static io.derpwatch.agent.telemetry.TelemetryNames.*;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpMapCodec;
import io.derpwatch.agent.derp.DerpMapException;
import io.derpwatch.agent.localapi.LocalApiClient;
import io.derpwatch.agent.localapi.LocalApiResponse;
import io.derpwatch.agent.net.NettyTransport;
import io.derpwatch.agent.source.Source;
import io.derpwatch.agent.source.SourceCounters;
import io.derpwatch.agent.telemetry.Telemetry;
import io.derpwatch.config.NetcheckSettings;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.ScheduledFuture;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Severity;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The netcheck source: every {@code interval}, one full report over every measurable DERP region, published to
 * {@link NetcheckInstruments}; the DERP map is re-read every {@code derp-map.refresh-interval}, keeping the last
 * good map when a refresh fails. Everything runs on the given event loop.
 */
public final class NetcheckSource implements Source {
    private static final Logger LOG = LoggerFactory.getLogger(NetcheckSource.class);
    static final String NAME = "netcheck";

    private final EventLoop loop;
    private final NetcheckSettings settings;
    private final Telemetry telemetry;
    private final NetcheckProber prober;
    private final DerpMapLoader loader;
    private final NetcheckInstruments instruments;
    private final PreferredRegionSelector selector;
    private final Clock clock;
    private final SourceCounters counters;
    private DerpMap map;
    private CompletableFuture<DerpMap> mapLoad;
    private CompletableFuture<Void> running;
    private ScheduledFuture<?> nextReport;
    private ScheduledFuture<?> nextRefresh;
    private boolean stopped;
    private volatile BiConsumer<NetcheckReport, DerpMap> reportListener = (r, m) -> {};

    /**
     * @param localApiDerpMap {@code GET /localapi/v0/derpmap} (body bytes), or null when no LocalAPI is wired
     * @throws IllegalArgumentException when the configured extra regions do not parse (the settings loader
     *                                  has already checked their shape)
     */
    public NetcheckSource(
            EventLoop loop,
            NettyTransport transport,
            NetcheckSettings settings,
            Telemetry telemetry,
            Supplier<CompletableFuture<byte[]>> localApiDerpMap) {
        this(loop, transport, settings, telemetry, localApiDerpMap, NetcheckSource::defaultSsl, Clock.systemUTC(), 80);
    }

    NetcheckSource(
            EventLoop loop,
            NettyTransport transport,
            NetcheckSettings settings,
            Telemetry telemetry,
            Supplier<CompletableFuture<byte[]>> localApiDerpMap,
            SslContext ssl,
            Clock clock,
            int captivePortalPort) {
        this(loop, transport, settings, telemetry, localApiDerpMap, () -> ssl, clock, captivePortalPort);
    }

    private NetcheckSource(
            EventLoop loop,
            NettyTransport transport,
            NetcheckSettings settings,
            Telemetry telemetry,
            Supplier<CompletableFuture<byte[]>> localApiDerpMap,
            Supplier<SslContext> ssl,
            Clock clock,
            int captivePortalPort) {
        this.loop = loop;
        this.settings = settings;
        this.telemetry = telemetry;
        this.clock = clock;
        this.instruments = new NetcheckInstruments(telemetry, settings.reportPublicAddresses());
        this.prober =
                new NetcheckProber(loop, transport, settings, ssl, instruments::rejected, clock, captivePortalPort);
        try {
            this.loader = new DerpMapLoader(
                    settings.derpMap(), new DerpMapCodec(), localApiDerpMap, prober.http(), ForkJoinPool.commonPool());
        } catch (DerpMapException e) {
            prober.close();
            instruments.close();
            throw new IllegalArgumentException("derpwatch.netcheck.derp-map.regions: " + e.getMessage(), e);
        }
        this.selector = new PreferredRegionSelector(settings.preferredHistory());
        this.counters = new SourceCounters(telemetry.meter(), NAME);
    }

    /**
     * The agent's netcheck source on {@code group}'s event loop, reading the DERP map from tailscaled's
     * {@code /localapi/v0/derpmap} through {@code localApi} when {@code derp-map.source = localapi}.
     */
    public static NetcheckSource create(
            NetcheckSettings settings, EventLoopGroup group, Telemetry telemetry, LocalApiClient localApi) {
        return new NetcheckSource(
                group.next(),
                NettyTransport.forGroup(group),
                settings,
                telemetry,
                () -> localApi.get(NetcheckCommand.DERP_MAP_PATH).thenApply(LocalApiResponse::body));
    }

    /** The JDK's default trust store, with host-name verification (set per connection). */
    public static SslContext defaultSsl() {
        try {
            return SslContextBuilder.forClient().build();
        } catch (SSLException e) {
            throw new IllegalStateException("no TLS client context: " + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void start() {
        loop.execute(() -> {
            if (stopped) {
                return;
            }
            refreshMap();
            reportLoop();
        });
    }

    @Override
    public CompletableFuture<Void> sampleOnce() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> runReport().whenComplete((x, e) -> done.complete(null)));
        // runReport's future completes on the loop after the report is published
        return done;
    }

    @Override
    public void stop() {
        loop.execute(() -> {
            if (stopped) {
                return;
            }
            stopped = true;
            if (nextReport != null) {
                nextReport.cancel(false);
            }
            if (nextRefresh != null) {
                nextRefresh.cancel(false);
            }
            prober.close();
            instruments.close();
        });
    }

    /** Sets the one listener that sees every published report and its map (on the event loop). */
    public void onReport(BiConsumer<NetcheckReport, DerpMap> listener) {
        this.reportListener = listener;
    }

    /** The latest DERP map in use (null before the first load). For tests and the admin view. */
    DerpMap derpMap() {
        return map;
    }

    private void reportLoop() {
        if (stopped) {
            return;
        }
        long started = System.nanoTime();
        runReport().whenComplete((x, e) -> {
            if (stopped) {
                return;
            }
            long wait = Math.max(0, settings.interval().toNanos() - (System.nanoTime() - started));
            nextReport = loop.schedule(this::reportLoop, wait, TimeUnit.NANOSECONDS);
        });
    }

    private void refreshMap() {
        if (stopped) {
            return;
        }
        currentOrLoad(true).whenComplete((m, e) -> {
            if (!stopped) {
                nextRefresh = loop.schedule(
                        this::refreshMap, settings.derpMap().refreshInterval().toNanos(), TimeUnit.NANOSECONDS);
            }
        });
    }

    /** The map: the loaded one, or a (re)load when there is none yet or {@code refresh} is asked. */
    private CompletableFuture<DerpMap> currentOrLoad(boolean refresh) {
        if (mapLoad != null && !mapLoad.isDone()) {
            return mapLoad;
        }
        if (map != null && !refresh) {
            return CompletableFuture.completedFuture(map);
        }
        CompletableFuture<DerpMap> load = loader.load()
                .handleAsync(
                        (m, e) -> {
                            if (e == null) {
                                if (map == null || !map.equals(m)) {
                                    LOG.info(
                                            "netcheck: DERP map with {} regions",
                                            m.regions().size());
                                }
                                map = m;
                                instruments.mapLoaded(m);
                            } else {
                                String message = DerpMapLoader.rootMessage(e);
                                error(
                                        "derp_map",
                                        map == null
                                                ? "DERP map unavailable: " + message
                                                : "DERP map refresh failed, keeping the last good map: " + message);
                            }
                            return map;
                        },
                        loop);
        mapLoad = load;
        return load;
    }

    private CompletableFuture<Void> runReport() {
        if (running != null && !running.isDone()) {
            return running; // never two reports at once
        }
        running = currentOrLoad(false)
                .thenCompose(m -> {
                    if (m == null || m.isEmpty()) {
                        instruments.clear();
                        instruments.failed();
                        return CompletableFuture.completedFuture(null);
                    }
                    return prober.run(m, l -> {})
                            .thenAcceptAsync(
                                    report -> {
                                        NetcheckReport selected = selector.select(report, m, clock.instant());
                                        instruments.publish(selected, m);
                                        reportListener.accept(selected, m);
                                        LOG.debug("netcheck: {}", selected);
                                    },
                                    loop);
                })
                .handleAsync(
                        (x, e) -> {
                            counters.sampled();
                            if (e != null) {
                                instruments.clear();
                                instruments.failed();
                                error("report", "netcheck report failed: " + DerpMapLoader.rootMessage(e));
                            }
                            return null;
                        },
                        loop);
        return running;
    }

    private void error(String type, String message) {
        LOG.warn("netcheck: {}", message);
        counters.failed(type);
        telemetry
                .events()
                .emit(
                        EVENT_SOURCE_ERROR,
                        Severity.WARN,
                        message,
                        Attributes.of(SOURCE_NAME, NAME, ERROR_TYPE, type, ERROR_MESSAGE, message));
    }
}
