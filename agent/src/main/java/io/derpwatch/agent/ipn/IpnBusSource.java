package io.derpwatch.agent.ipn;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.NodeDerpMap;
import io.derpwatch.agent.home.HomeConnection;
import io.derpwatch.agent.home.HomeConnectionRule;
import io.derpwatch.agent.home.HomeSnapshot;
import io.derpwatch.agent.localapi.LocalApiClient;
import io.derpwatch.agent.localapi.LocalApiException;
import io.derpwatch.agent.localapi.LocalApiPaths;
import io.derpwatch.agent.localapi.LocalApiStream;
import io.derpwatch.agent.localapi.NodeStatus;
import io.derpwatch.agent.source.ReconnectSchedule;
import io.derpwatch.agent.source.SourceError;
import io.derpwatch.agent.source.SourceException;
import io.derpwatch.agent.source.StreamConnection;
import io.derpwatch.agent.source.StreamContext;
import io.derpwatch.agent.source.StreamingSource;
import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.telemetry.TelemetryNames;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IPN-bus watch, a {@link StreamingSource} run by the shared {@code StreamingSourceRunner} (connect timeout,
 * reconnect with backoff and jitter, counters, throttled errors, supervision). Each connection opens
 * {@code /localapi/v0/watch-ipn-bus} with the mask for the daemon's version ({@code /status} {@code Version},
 * read first when unknown); each record is read through {@link IpnNotifyCodec} on the loop (nothing here
 * blocks: events go to the SDK's batcher, which never does) and publishes {@link HealthSnapshot},
 * {@link BackendSnapshot} and a recomputed {@link HomeSnapshot} the moment a notify changes them. After every
 * (re)connect it re-reads {@code /status} (the status source's {@code sampleOnce}) so nothing sent while no
 * watch was open is missed. tailscaled's "fell behind" message closes the connection (the runner reconnects).
 * A daemon before 1.70 (no structured health) ends each attempt with {@code error.type}
 * {@code no_structured_health}, one without the bus with {@code http_status}; both stay polled
 * ({@link #mode()} {@code poll}) and are asked again at the runner's backoff. A bad record is a
 * {@code bad_record} error; the watch reads on.
 */
public final class IpnBusSource implements StreamingSource<byte[]> {
    static final String MODE_BUS = "bus";
    static final String MODE_POLL = "poll";
    private static final Logger LOG = LoggerFactory.getLogger(IpnBusSource.class);

    private final LocalApiClient client;
    private final StateStore state;
    private final long maxRecordSize;
    private final Supplier<CompletableFuture<Void>> readStatus;
    private final IpnNotifyCodec codec = new IpnNotifyCodec();

    // confined to the loop
    private @Nullable LocalApiStream stream;
    private Optional<BackendState> busState = Optional.empty();
    private OptionalInt busHome = OptionalInt.empty();
    private volatile @Nullable Map<String, HealthWarning> busHealth;
    private volatile String mode = MODE_POLL;
    private volatile long connects;

    /**
     * @param readStatus re-reads {@code /status} now and publishes it (the status source's {@code sampleOnce})
     */
    public IpnBusSource(
            LocalApiClient client, StateStore state, long maxRecordSize, Supplier<CompletableFuture<Void>> readStatus) {
        this.client = client;
        this.state = state;
        this.maxRecordSize = maxRecordSize;
        this.readStatus = readStatus;
    }

    /** The runner settings for the watch: {@code derpwatch.ipn-bus} backoff, connect bounded by {@code bound}. */
    public static ReconnectSchedule schedule(IpnBusSettings settings, Duration bound) {
        return new ReconnectSchedule(settings.backoff(), settings.maxBackoff(), bound);
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
    public StreamConnection connect(StreamContext context, Consumer<byte[]> records) {
        CompletableFuture<Object> opened = new CompletableFuture<>();
        CompletableFuture<Object> ended = new CompletableFuture<>();
        ended.whenComplete((v, f) -> opened.completeExceptionally(
                f != null ? f : new IllegalStateException("IPN bus watch ended before it opened")));
        Runnable close = () -> {
            LocalApiStream s = stream;
            if (s != null) {
                s.close();
            }
            ended.complete(null);
        };
        versionThen(version -> {
            if (ended.isDone()) {
                return;
            }
            if (version.isEmpty()) {
                String why = "no /status read yet: the daemon's version (and so the watch mask) is unknown";
                publishMode(WatchMode.NO_STATUS, why, context);
                ended.completeExceptionally(new SourceException(SourceError.of("no_status", why)));
                return;
            }
            if (!WatchMask.structuredHealth(version.get())) {
                String why = "tailscaled " + version.get() + " has no structured health on the IPN bus (before 1.70):"
                        + " polling /status only";
                publishMode(WatchMode.BEFORE_1_70, why, context);
                ended.completeExceptionally(new SourceException(SourceError.of("no_structured_health", why)));
                return;
            }
            LocalApiStream s = client.stream(WatchMask.path(version.get()), maxRecordSize, records);
            stream = s;
            s.opened().thenAccept(v -> {
                connects++;
                mode = MODE_BUS;
                WatchMode.publish(
                        state,
                        new WatchMode(
                                MODE_BUS,
                                WatchMode.WATCHING,
                                "watching tailscaled " + version.get() + "'s IPN bus; /status polled as a safety net",
                                context.clock().wallTime()));
                LOG.info("IPN bus watch open on {} (tailscaled {})", client.socket(), version.get());
                opened.complete(v);
                readStatus.get(); // whatever changed while no watch was open
            });
            s.ended().whenComplete((v, f) -> {
                if (stream == s) {
                    stream = null;
                }
                mode = MODE_POLL;
                busHealth = null;
                WatchMode.publish(
                        state,
                        WatchMode.ended(
                                f == null ? null : describe(f),
                                f,
                                context.clock().wallTime()));
                if (f != null) {
                    ended.completeExceptionally(f);
                } else {
                    ended.complete(null);
                }
            });
        });
        return StreamConnection.of(opened, ended, close, IpnBusSource::describe);
    }

    private void publishMode(String reason, String detail, StreamContext context) {
        WatchMode.publish(state, WatchMode.poll(reason, detail, context.clock().wallTime()));
    }

    private static @Nullable SourceError describe(Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof SourceException e) {
            return e.error();
        }
        return cause instanceof LocalApiException e ? e.sourceError(LocalApiPaths.WATCH_IPN_BUS) : null;
    }

    private void versionThen(Consumer<Optional<String>> then) {
        Optional<String> known = version();
        if (known.isPresent()) {
            then.accept(known);
        } else {
            readStatus.get().whenComplete((v, f) -> then.accept(version()));
        }
    }

    private Optional<String> version() {
        return state.latest(HomeSnapshot.TOPIC)
                .flatMap(HomeSnapshot::status)
                .map(NodeStatus::version)
                .filter(v -> !v.isEmpty());
    }

    /**
     * {@code snapshot} (a status read) with its home connection decided with what the bus says while the watch is
     * open ({@link #combine}).
     */
    public HomeSnapshot overlay(HomeSnapshot snapshot) {
        Map<String, HealthWarning> health = busHealth;
        if (health == null || snapshot.status().isEmpty() || snapshot.error().isPresent()) {
            return snapshot;
        }
        HomeConnection c = combine(snapshot.status().get(), Optional.empty(), OptionalInt.empty(), health);
        return new HomeSnapshot(c, snapshot.status(), snapshot.error(), snapshot.sampledAt());
    }

    /**
     * After a status read was published: publishes its backend state when it changed (mode {@code poll} when no
     * watch is open, so a daemon without the bus still has {@code tailscale.backend.state}).
     */
    public void statusPublished(HomeSnapshot snapshot) {
        String how = busHealth == null ? MODE_POLL : MODE_BUS;
        snapshot.status()
                .flatMap(s -> BackendState.ofName(s.backendState()))
                .ifPresent(b -> publishBackend(b, how, snapshot.sampledAt()));
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

    @Override
    public void handle(byte[] record, StreamContext context) throws SourceException {
        IpnNotify n;
        try {
            n = codec.parse(record);
        } catch (IpnNotifyException e) {
            throw new SourceException(SourceError.of("bad_record", "IPN bus record skipped: " + e.getMessage()));
        }
        if (n.fellBehind()) {
            LOG.warn("IPN bus: tailscaled says this reader fell behind; reconnecting");
            LocalApiStream s = stream;
            if (s != null) {
                s.close(); // ends the connection; the runner reconnects after its backoff
            }
            return;
        }
        Instant now = context.clock().wallTime();
        boolean homeInputs = false;
        if (n.health().isPresent()) {
            busHealth = n.health().get();
            state.publish(HealthSnapshot.TOPIC, new HealthSnapshot(n.health().get(), now));
            homeInputs = true;
        }
        if (n.state().isPresent()) {
            busState = n.state();
            publishBackend(n.state().get(), MODE_BUS, now);
            homeInputs = true;
        }
        if (n.homeRegionId().isPresent()) {
            busHome = n.homeRegionId();
            homeInputs = true;
        }
        if (homeInputs) {
            recomputeHome(now);
        }
    }

    private void recomputeHome(Instant now) {
        Map<String, HealthWarning> health = busHealth;
        Optional<HomeSnapshot> last = state.latest(HomeSnapshot.TOPIC);
        if (health == null || last.isEmpty() || last.get().status().isEmpty()) {
            return; // no status read yet: the re-read after connect decides
        }
        NodeStatus status = last.get().status().get();
        HomeConnection c = combine(status, busState, busHome, health);
        if (!c.equals(last.get().connection())) {
            state.publish(HomeSnapshot.TOPIC, new HomeSnapshot(c, last.get().status(), Optional.empty(), now));
        }
        if (!c.connected()
                && BusHomeRule.evaluate(status, busState, busHome, health, derpMap())
                        .connected()) {
            readStatus.get(); // the bus says better than the last /status read: read it again to confirm
        }
    }

    private void publishBackend(BackendState b, String how, Instant at) {
        Optional<BackendSnapshot> last = state.latest(BackendSnapshot.TOPIC);
        if (last.isEmpty() || last.get().state() != b) {
            state.publish(BackendSnapshot.TOPIC, new BackendSnapshot(b, how, at));
        }
    }

    private Optional<DerpMap> derpMap() {
        return state.latest(NodeDerpMap.TOPIC).map(NodeDerpMap::map).filter(m -> !m.isEmpty());
    }
}
