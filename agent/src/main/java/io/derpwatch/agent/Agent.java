package io.derpwatch.agent;

import io.derpwatch.agent.admin.AdminServer;
import io.derpwatch.agent.health.HealthSettings;
import io.derpwatch.agent.health.Liveness;
import io.derpwatch.agent.health.LoopLagProbe;
import io.derpwatch.agent.health.SinkHealthReader;
import io.derpwatch.agent.health.SinkWorkerHealth;
import io.derpwatch.agent.home.HomeConnectionInstruments;
import io.derpwatch.agent.net.NettyTransport;
import io.derpwatch.agent.source.Source;
import io.derpwatch.agent.source.Supervision;
import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.telemetry.ResourceFactory;
import io.derpwatch.agent.telemetry.SignalPipeline;
import io.derpwatch.agent.telemetry.SinkInstruments;
import io.derpwatch.agent.telemetry.Telemetry;
import io.derpwatch.agent.view.StateViewSource;
import io.derpwatch.agent.view.ViewSource;
import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.sinks.SinkContext;
import io.derpwatch.sinks.runtime.SinkCatalog;
import io.derpwatch.sinks.runtime.SinkSet;
import io.netty.channel.EventLoopGroup;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running agent: the event loop, the sources on it, the signal pipeline and the sinks, the admin server.
 * Data flows one way: sources write state, instruments read it, the SDK hands signals to the sinks.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    /** How long closing waits for the admin server, and for the event loop to stop, at most. */
    private static final Duration ADMIN_CLOSE_DEADLINE = Duration.ofSeconds(2);

    private static final Duration LOOP_STOP_DEADLINE = Duration.ofSeconds(3);

    /** How the agent exports metrics. */
    public enum Mode {
        /** Sample on every interval and export on the telemetry export interval until stopped. */
        CONTINUOUS,
        /** Sample each source once, export once ({@code run --once}). */
        ONCE
    }

    private final DerpwatchSettings settings;
    private final Mode mode;
    private final EventLoopGroup group;
    private final SinkSet sinks;
    private final SignalPipeline pipeline;
    private final List<Source> sources;
    // set once in start(), after the sources start: null when off or in ONCE mode
    private volatile @Nullable AdminServer admin;
    private final StateStore state;
    private final Supervision supervision;
    private final LoopLagProbe lag;
    private final ViewSource view;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean firstSampleDone;

    private Agent(
            DerpwatchSettings settings,
            Mode mode,
            EventLoopGroup group,
            SinkSet sinks,
            SignalPipeline pipeline,
            List<Source> sources,
            StateStore state,
            Supervision supervision,
            LoopLagProbe lag,
            ViewSource view) {
        this.settings = settings;
        this.mode = mode;
        this.group = group;
        this.sinks = sinks;
        this.pipeline = pipeline;
        this.sources = sources;
        this.state = state;
        this.supervision = supervision;
        this.lag = lag;
        this.view = view;
    }

    /** What the status page, {@code /api/state} and {@code derpwatch status} show, built from the state store. */
    public ViewSource view() {
        return view;
    }

    /** The state store: the latest snapshot of every topic (what the status page and tests read). */
    public StateStore state() {
        return state;
    }

    /** The supervised components and their health. */
    public Supervision supervision() {
        return supervision;
    }

    /** Opens the sinks, builds the sources and, in continuous mode, starts sampling and binds the admin server. */
    public static Agent start(
            DerpwatchSettings settings,
            List<SinkCatalog.ConfiguredSink> configuredSinks,
            SinkContext sinkContext,
            Mode mode,
            Map<String, String> env)
            throws InterruptedException {
        HealthSettings health = settings.section(HealthSettings.Section.class);
        NettyTransport transport = NettyTransport.detect();
        EventLoopGroup group = transport.newGroup(1);
        SinkSet sinks = SinkSet.open(configuredSinks, sinkContext);
        SignalPipeline pipeline = new SignalPipeline(
                new ResourceFactory(env).create(settings.telemetry().resourceAttributes()),
                settings.telemetry(),
                sinks,
                mode == Mode.CONTINUOUS,
                group.next(),
                settings.admin().enabled() && settings.admin().prometheusEnabled() && mode == Mode.CONTINUOUS);
        // the sinks' own health (exported/failed/dropped/queued) goes out through the same sinks
        SinkInstruments.register(pipeline.telemetry().meter(), sinks);
        SourceWiring wiring = new SourceWiring(settings, group, pipeline.telemetry(), health.stalledAfterIntervals());
        // the headline's new value goes out with its change event, not up to an export interval later
        HomeConnectionInstruments.onChange(wiring.state, pipeline::collectSoon);
        List<Source> sources = List.copyOf(wiring.sources);
        LoopLagProbe lag = LoopLagProbe.forBound(wiring.env.loop(), wiring.env.clock(), health.maxLoopLag());
        // each sink's worker liveness and oldest queued batch, from its SinkStats
        SinkHealthReader sinkHealth = () -> sinks.stats().stream()
                .map(s -> new SinkWorkerHealth(
                        s.sink(),
                        s.workerAlive(),
                        s.queued() == 0 ? Optional.empty() : Optional.of(s.oldestQueuedAge())))
                .toList();
        Liveness liveness =
                new Liveness(wiring.env.supervision(), lag, sinkHealth, health.maxLoopLag(), health.maxQueuedAge());
        // --- the status page's view: the state store, the change events' history, sink stats ---
        StateViewSource view = StateViewSource.subscribe(
                "agent", wiring.state, settings.admin().stateHistory(), sinks::stats, Clock.systemUTC());
        wiring.changes.listen(view::event);
        Agent agent = new Agent(
                settings, mode, group, sinks, pipeline, sources, wiring.state, wiring.env.supervision(), lag, view);
        if (mode == Mode.CONTINUOUS) {
            lag.start();
            // The first samples go out before the admin server binds: its set-up (~60 ms of class initialisation
            // under -Xint) then runs beside them instead of delaying the first export. /readyz says not ready until
            // the first samples are done, whenever it starts answering.
            agent.startSources();
            if (settings.admin().enabled()) {
                try {
                    agent.admin = AdminServer.start(
                            settings.admin(),
                            transport,
                            agent::readiness,
                            liveness::problems,
                            view,
                            pipeline.prometheus().orElse(null));
                } catch (RuntimeException | InterruptedException e) {
                    for (Source s : sources) {
                        try {
                            s.stop();
                        } catch (RuntimeException stopping) {
                            e.addSuppressed(stopping);
                        }
                    }
                    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                    pipeline.shutdown(Duration.ofSeconds(1));
                    throw e;
                }
            }
        }
        @Nullable AdminServer admin = agent.admin;
        LOG.info(
                "derpwatch {} starting: sources {}, sinks {}, admin {}, {} transport",
                ResourceFactory.version(),
                sources.stream().map(Source::name).toList(),
                sinks.names(),
                admin == null ? "off" : "http://" + settings.admin().host() + ":" + admin.port(),
                transport.epoll() ? "epoll" : "nio");
        return agent;
    }

    public Telemetry telemetry() {
        return pipeline.telemetry();
    }

    /** The admin server's port, or -1 when it is off. */
    public int adminPort() {
        AdminServer a = admin;
        return a == null ? -1 : a.port();
    }

    /** Null when ready (the first sample of every source is done), else the reason. */
    public String readiness() {
        return firstSampleDone ? null : "first sample not done yet";
    }

    private void startSources() {
        List<CompletableFuture<Void>> first = new ArrayList<>();
        for (Source s : sources) {
            first.add(s.sampleOnce());
        }
        CompletableFuture.allOf(first.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
            firstSampleDone = true;
            pipeline.collectSoon(); // every source's first figures out now, not after the first export interval
        });
        for (Source s : sources) {
            s.start();
        }
    }

    /**
     * Samples every source once, then hands everything to the sinks and waits until delivered.
     *
     * @return true when every sample completed and every sink delivered every batch (none dropped or left queued)
     */
    public boolean runOnce(Duration timeout) {
        boolean ok = true;
        List<CompletableFuture<Void>> samples = new ArrayList<>();
        for (Source s : sources) {
            samples.add(s.sampleOnce());
        }
        try {
            CompletableFuture.allOf(samples.toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            LOG.warn("a source failed its sample: {}", e.getCause().toString());
        } catch (TimeoutException e) {
            LOG.warn("sources did not finish their sample within {}", timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        firstSampleDone = true;
        if (!pipeline.flush(timeout)) {
            LOG.error("not every sink delivered the sample");
            ok = false;
        }
        if (!sinks.flush(timeout)) {
            LOG.error("not every sink finished delivering");
            ok = false;
        }
        for (String undelivered : sinks.undelivered()) {
            LOG.error("not delivered: {}", undelivered); // rejected, retry exhausted, queue full, encoding failed...
            ok = false;
        }
        return ok;
    }

    /** Stops sampling, delivers what is pending within {@code shutdown.timeout}, releases everything. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Duration timeout = settings.shutdown().timeout();
        if (mode == Mode.CONTINUOUS && !pipeline.flush(timeout)) {
            // the latest state, while the sources' instruments still report it
            LOG.warn("sinks did not take the last collection within {}", timeout);
        }
        lag.stop();
        for (Source s : sources) {
            try {
                s.stop();
            } catch (RuntimeException e) {
                LOG.warn("stopping source {}: {}", s.name(), e.toString());
            }
        }
        AdminServer a = admin;
        if (a != null) {
            a.close(ADMIN_CLOSE_DEADLINE);
        }
        if (!pipeline.shutdown(timeout)) {
            LOG.warn("sinks did not finish delivering within {}", timeout);
        }
        sinks.shutdown(timeout);
        if (!group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(LOOP_STOP_DEADLINE.toMillis())) {
            LOG.warn("the event loop did not stop within {}", LOOP_STOP_DEADLINE);
        }
        LOG.info("derpwatch stopped");
    }
}
