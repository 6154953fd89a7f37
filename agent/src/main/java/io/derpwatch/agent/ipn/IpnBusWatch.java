package io.derpwatch.agent.ipn;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.NodeDerpMap;
import io.derpwatch.agent.home.HomeConnection;
import io.derpwatch.agent.home.HomeConnectionRule;
import io.derpwatch.agent.home.HomeSnapshot;
import io.derpwatch.agent.localapi.LocalApiClient;
import io.derpwatch.agent.localapi.LocalApiException;
import io.derpwatch.agent.localapi.LocalApiStream;
import io.derpwatch.agent.localapi.NodeStatus;
import io.derpwatch.agent.source.ComponentHealth;
import io.derpwatch.agent.source.ComponentState;
import io.derpwatch.agent.source.Source;
import io.derpwatch.agent.source.SourceEnvironment;
import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.telemetry.TelemetryNames;
import io.netty.channel.EventLoop;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IPN-bus watch: a streaming source on the agent's event loop. It opens
 * {@code /localapi/v0/watch-ipn-bus} with the mask for the daemon's version ({@code /status} {@code Version}),
 * reads each record through {@link IpnNotifyCodec} on the loop (nothing it does blocks: events go to the SDK's
 * batcher, which never does), and publishes {@link HealthSnapshot}, {@link BackendSnapshot} and a recomputed
 * {@link HomeSnapshot} (by {@link BusHomeRule}) the moment a notify changes them. After every (re)connect it
 * re-reads {@code /status} (the status source's {@code sampleOnce}) so nothing sent while it was away is
 * missed. The stream ending, failing, or tailscaled's "fell behind" message means a reconnect after
 * {@code backoff}, doubling up to {@code max-backoff}, reset by a watch that opened. A daemon before 1.70 (no
 * structured health) or without the bus is polled only ({@link #mode()} {@code poll}); it is asked again at
 * {@code max-backoff}. A bad record is counted ({@code derpwatch.source.errors}, {@code error.type}
 * {@code bad_record}), logged and skipped; the watch stays open.
 *
 * <p>This is the watch's own small runner: the shared streaming source model is not in the tree yet.
 */
public final class IpnBusWatch implements Source {
    static final String MODE_BUS = "bus";
    static final String MODE_POLL = "poll";
    private static final Logger LOG = LoggerFactory.getLogger(IpnBusWatch.class);

    private final LocalApiClient client;
    private final StateStore state;
    private final IpnBusSettings settings;
    private final SourceEnvironment env;
    private final EventLoop loop;
    private final Supplier<CompletableFuture<Void>> readStatus;
    private final IpnNotifyCodec codec = new IpnNotifyCodec();
    private final LongCounter records;
    private final LongCounter errors;
    private final Attributes sourceAttributes = Attributes.of(TelemetryNames.SOURCE_NAME, name());

    // confined to the loop
    private @Nullable LocalApiStream stream;
    private long nextBackoffNanos;
    private boolean started;
    private boolean stopped;
    private Optional<BackendState> busState = Optional.empty();
    private OptionalInt busHome = OptionalInt.empty();
    private volatile @Nullable Map<String, HealthWarning> busHealth;
    private volatile String mode = MODE_POLL;
    private volatile String detail = "not started";
    private volatile long connects;

    /**
     * @param readStatus re-reads {@code /status} now and publishes it (the status source's {@code sampleOnce})
     */
    public IpnBusWatch(
            LocalApiClient client,
            StateStore state,
            IpnBusSettings settings,
            SourceEnvironment env,
            Supplier<CompletableFuture<Void>> readStatus) {
        this.client = client;
        this.state = state;
        this.settings = settings;
        this.env = env;
        this.loop = env.loop();
        this.readStatus = readStatus;
        this.nextBackoffNanos = settings.backoff().toNanos();
        this.records = env.telemetry()
                .meter()
                .counterBuilder(TelemetryNames.SOURCE_SAMPLES)
                .setUnit("{sample}")
                .setDescription("Samples a source has taken, failed or not")
                .build();
        this.errors = env.telemetry()
                .meter()
                .counterBuilder(TelemetryNames.SOURCE_ERRORS)
                .setUnit("{error}")
                .setDescription("Errors a source has met, by error.type")
                .build();
    }

    @Override
    public String name() {
        return TelemetryNames.SOURCE_IPN_BUS;
    }

    /** {@code bus} while a watch is open, {@code poll} otherwise ({@code derpwatch.source.mode}). */
    public String mode() {
        return mode;
    }

    /** Watches opened so far. */
    public long connects() {
        return connects;
    }

    @Override
    public void start() {
        loop.execute(() -> {
            if (!started && !stopped) {
                started = true;
                connect();
            }
        });
    }

    @Override
    public CompletableFuture<Void> sampleOnce() {
        return readStatus.get();
    }

    @Override
    public void stop() {
        loop.execute(() -> {
            stopped = true;
            LocalApiStream s = stream;
            stream = null;
            if (s != null) {
                s.close();
            }
            mode = MODE_POLL;
        });
    }

    @Override
    public ComponentHealth health() {
        return new ComponentHealth(
                "source", name(), stopped ? ComponentState.STOPPED : ComponentState.RUNNING, mode + ": " + detail);
    }

    /**
     * {@code snapshot} (a status read) with its home connection decided with what the bus says while the watch is
     * open ({@link #combine}). Also publishes the status's backend state (mode {@code poll} when no watch is open).
     */
    public HomeSnapshot overlay(HomeSnapshot snapshot) {
        Map<String, HealthWarning> health = busHealth;
        snapshot.status()
                .ifPresent(s -> BackendState.ofName(s.backendState())
                        .ifPresent(b -> publishBackend(b, health == null ? MODE_POLL : MODE_BUS)));
        if (health == null || snapshot.status().isEmpty() || snapshot.error().isPresent()) {
            return snapshot;
        }
        HomeConnection c = combine(snapshot.status().get(), Optional.empty(), OptionalInt.empty(), health);
        return new HomeSnapshot(c, snapshot.status(), snapshot.error(), snapshot.sampledAt());
    }

    /**
     * The worse of the two views, the bus's when both are good: a loss the bus reports counts at once, and a
     * loss the last {@code /status} read shows stands until a re-read clears it (tailscaled's two views agree;
     * the bus is only earlier). The bus's home region, when it sent one, is the newer one.
     */
    private HomeConnection combine(
            NodeStatus status, Optional<BackendState> state, OptionalInt home, Map<String, HealthWarning> health) {
        Optional<DerpMap> map = derpMap();
        HomeConnection byBus = BusHomeRule.evaluate(status, state, home, health, map);
        if (!byBus.connected()) {
            return byBus;
        }
        HomeConnection byStatus = HomeConnectionRule.evaluate(status, map);
        return byStatus.connected() ? byBus : byStatus;
    }

    private void connect() {
        if (stopped) {
            return;
        }
        Optional<String> version = state.latest(HomeSnapshot.TOPIC)
                .flatMap(HomeSnapshot::status)
                .map(NodeStatus::version)
                .filter(v -> !v.isEmpty());
        if (version.isEmpty()) {
            detail = "reading /status for the daemon's version";
            readStatus
                    .get()
                    .whenComplete((v, f) -> loop.execute(() -> {
                        if (state.latest(HomeSnapshot.TOPIC)
                                .flatMap(HomeSnapshot::status)
                                .isPresent()) {
                            connect();
                        } else {
                            retryLater("no /status yet");
                        }
                    }));
            return;
        }
        if (!WatchMask.structuredHealth(version.get())) {
            detail = "tailscaled " + version.get() + " has no structured health on the bus (before 1.70): polling";
            schedule(settings.maxBackoff().toNanos());
            return;
        }
        LocalApiStream s = client.stream(
                WatchMask.path(version.get()), settings.maxRecordSize(), r -> loop.execute(() -> onRecord(r)));
        stream = s;
        s.opened().thenAccept(v -> loop.execute(() -> opened(s)));
        s.ended().whenComplete((v, failure) -> loop.execute(() -> ended(s, failure)));
    }

    private void opened(LocalApiStream s) {
        if (stream != s) {
            return;
        }
        connects++;
        mode = MODE_BUS;
        detail = "watching";
        nextBackoffNanos = settings.backoff().toNanos();
        LOG.info("IPN bus watch open on {}", client.socket());
        readStatus.get(); // whatever changed while no watch was open
    }

    private void ended(LocalApiStream s, @Nullable Throwable failure) {
        if (stream != s) {
            return;
        }
        stream = null;
        mode = MODE_POLL;
        busHealth = null;
        if (stopped) {
            return;
        }
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof LocalApiException e) {
            errors.add(
                    1,
                    sourceAttributes.toBuilder()
                            .put(TelemetryNames.ERROR_TYPE, e.kind().wireName())
                            .build());
            if (e.kind() == LocalApiException.Kind.HTTP_STATUS) {
                detail = "no IPN bus (" + e.getMessage() + "): polling";
                LOG.warn("IPN bus watch on {}: {}", client.socket(), detail);
                schedule(settings.maxBackoff().toNanos());
                return;
            }
            retryLater(e.getMessage());
        } else if (cause != null) {
            retryLater(String.valueOf(cause));
        } else {
            retryLater("watch ended");
        }
    }

    private void retryLater(String why) {
        detail = why + "; reconnecting in " + TimeUnit.NANOSECONDS.toMillis(nextBackoffNanos) + " ms";
        LOG.warn("IPN bus watch on {}: {}", client.socket(), detail);
        schedule(nextBackoffNanos);
        nextBackoffNanos = Math.min(nextBackoffNanos * 2, settings.maxBackoff().toNanos());
    }

    private void schedule(long delayNanos) {
        if (!stopped) {
            loop.schedule(this::connect, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void onRecord(byte[] record) {
        if (stopped) {
            return;
        }
        records.add(1, sourceAttributes);
        IpnNotify n;
        try {
            n = codec.parse(record);
        } catch (IpnNotifyException e) {
            errors.add(
                    1,
                    sourceAttributes.toBuilder()
                            .put(TelemetryNames.ERROR_TYPE, "bad_record")
                            .build());
            LOG.warn("IPN bus record skipped: {}", e.getMessage());
            return;
        }
        if (n.fellBehind()) {
            LOG.warn("IPN bus: tailscaled says this reader fell behind; reconnecting");
            LocalApiStream s = stream;
            if (s != null) {
                stream = null;
                s.close();
                mode = MODE_POLL;
                busHealth = null;
                retryLater("fell behind");
            }
            return;
        }
        boolean homeInputs = false;
        if (n.health().isPresent()) {
            busHealth = n.health().get();
            state.publish(
                    HealthSnapshot.TOPIC,
                    new HealthSnapshot(n.health().get(), env.clock().wallTime()));
            homeInputs = true;
        }
        if (n.state().isPresent()) {
            busState = n.state();
            publishBackend(n.state().get(), MODE_BUS);
            homeInputs = true;
        }
        if (n.homeRegionId().isPresent()) {
            busHome = n.homeRegionId();
            homeInputs = true;
        }
        if (homeInputs) {
            recomputeHome();
        }
    }

    private void recomputeHome() {
        Map<String, HealthWarning> health = busHealth;
        Optional<HomeSnapshot> last = state.latest(HomeSnapshot.TOPIC);
        if (health == null || last.isEmpty() || last.get().status().isEmpty()) {
            return; // no status read yet: the re-read after connect decides
        }
        NodeStatus status = last.get().status().get();
        HomeConnection c = combine(status, busState, busHome, health);
        if (!c.equals(last.get().connection())) {
            state.publish(
                    HomeSnapshot.TOPIC,
                    new HomeSnapshot(
                            c,
                            last.get().status(),
                            Optional.empty(),
                            env.clock().wallTime()));
        }
        if (!c.connected()
                && BusHomeRule.evaluate(status, busState, busHome, health, derpMap())
                        .connected()) {
            readStatus.get(); // the bus says better than the last /status read: read it again to confirm
        }
    }

    private void publishBackend(BackendState b, String how) {
        Optional<BackendSnapshot> last = state.latest(BackendSnapshot.TOPIC);
        if (last.isEmpty() || last.get().state() != b) {
            state.publish(
                    BackendSnapshot.TOPIC,
                    new BackendSnapshot(b, how, env.clock().wallTime()));
        }
    }

    private Optional<DerpMap> derpMap() {
        return state.latest(NodeDerpMap.TOPIC).map(NodeDerpMap::map).filter(m -> !m.isEmpty());
    }
}
