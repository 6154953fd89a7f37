package io.derpwatch.agent.home;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpMapCodec;
import io.derpwatch.agent.derp.DerpMapException;
import io.derpwatch.agent.localapi.LocalApiClient;
import io.derpwatch.agent.localapi.LocalApiException;
import io.derpwatch.agent.localapi.LocalApiResponse;
import io.derpwatch.agent.localapi.NodeStatus;
import io.derpwatch.agent.localapi.StatusCodec;
import io.derpwatch.agent.source.Source;
import io.derpwatch.agent.telemetry.EventEmitter;
import io.derpwatch.agent.telemetry.Telemetry;
import io.derpwatch.agent.telemetry.TelemetryNames;
import io.derpwatch.config.StatusSettings;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.logs.Severity;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls tailscaled's {@code /localapi/v0/status?peers=false} every {@code status.interval} and its
 * {@code /localapi/v0/derpmap} every {@code status.derp-map-interval} (and sooner while the map is unknown or
 * lacks the home region), decides the home DERP connection with {@link HomeConnectionRule}, writes a
 * {@link HomeSnapshot} into {@link HomeState}, and emits the change events:
 * {@code tailscale.derp.home_connection.changed} (first sample and every change of value or reason),
 * {@code tailscale.derp.home_region.changed} (the home region code moved), and {@code derpwatch.source.error}
 * (LocalAPI failures, throttled by {@link ErrorThrottle}). It registers the home-connection gauge and the
 * source counters on construction.
 *
 * <p>All of its state is confined to one event loop of the group; it never blocks it, and no exception
 * escapes onto it. A failed sample gives the value 0 and the next tick simply tries again.
 */
public final class StatusSource implements Source {
    static final String STATUS_PATH = "/localapi/v0/status?peers=false";
    static final String DERPMAP_PATH = "/localapi/v0/derpmap";
    /** A repeat of the same LocalAPI error is reported at most this often. */
    static final Duration ERROR_REPEAT_INTERVAL = Duration.ofMinutes(5);
    /** While the DERP map lacks the home region, it is re-read at most this often. */
    static final Duration DERP_MAP_MISS_REFRESH = Duration.ofMinutes(1);

    private static final Logger log = LoggerFactory.getLogger(StatusSource.class);

    private final EventLoop loop;
    private final LocalApiClient client;
    private final StatusSettings settings;
    private final EventEmitter events;
    private final HomeState state;
    private final HomeConnectionInstruments instruments;
    private final StatusCodec statusCodec;
    private final DerpMapCodec derpMapCodec;
    private final LongSupplier nanoTime;
    private final Clock clock;
    private final ErrorThrottle statusErrors;
    private final ErrorThrottle derpMapErrors;

    // confined to loop
    private Optional<DerpMap> derpMap = Optional.empty();
    private long derpMapReadAt;
    private boolean derpMapRead;
    private HomeConnection lastConnection;
    private Optional<HomeRegion> lastKnownRegion = Optional.empty();
    private CompletableFuture<Void> inFlight;
    private ScheduledFuture<?> schedule;
    private volatile boolean stopped;

    public StatusSource(
            EventLoopGroup group,
            LocalApiClient client,
            StatusSettings settings,
            Telemetry telemetry,
            HomeState state) {
        this(group, client, settings, telemetry, state, ERROR_REPEAT_INTERVAL, System::nanoTime, Clock.systemUTC());
    }

    StatusSource(
            EventLoopGroup group,
            LocalApiClient client,
            StatusSettings settings,
            Telemetry telemetry,
            HomeState state,
            Duration errorRepeatInterval,
            LongSupplier nanoTime,
            Clock clock) {
        this.loop = group.next();
        this.client = client;
        this.settings = settings;
        this.events = telemetry.events();
        this.state = state;
        this.nanoTime = nanoTime;
        this.clock = clock;
        this.statusCodec = new StatusCodec(client.limits());
        this.derpMapCodec = new DerpMapCodec(client.limits());
        this.statusErrors = new ErrorThrottle(errorRepeatInterval, nanoTime);
        this.derpMapErrors = new ErrorThrottle(errorRepeatInterval, nanoTime);
        this.instruments = new HomeConnectionInstruments(telemetry.meter(), state, name());
    }

    @Override
    public String name() {
        return TelemetryNames.SOURCE_STATUS;
    }

    @Override
    public void start() {
        loop.execute(() -> {
            if (stopped || schedule != null) {
                return;
            }
            schedule =
                    loop.scheduleAtFixedRate(this::tick, 0, settings.interval().toNanos(), TimeUnit.NANOSECONDS);
            log.info("status source polling {} every {}", client.socket(), settings.interval());
        });
    }

    @Override
    public CompletableFuture<Void> sampleOnce() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                try {
                    CompletableFuture<Void> current = inFlight != null ? inFlight : startSample();
                    current.whenComplete((v, e) -> done.complete(null));
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                }
            });
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    @Override
    public void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            loop.execute(() -> {
                if (schedule != null) {
                    schedule.cancel(false);
                }
            });
        } catch (RuntimeException e) {
            log.debug("event loop already shut down while stopping the status source", e);
        }
        // The instruments stay registered: the agent's final export on shutdown still reports the last
        // sample; they go away with the meter provider.
    }

    private void tick() {
        try {
            if (stopped) {
                return;
            }
            if (inFlight != null) {
                log.debug("status sample still in flight; skipping this tick");
                return;
            }
            startSample();
        } catch (RuntimeException e) {
            log.error("status source tick failed", e);
            instruments.failed("internal");
        }
    }

    private CompletableFuture<Void> startSample() {
        CompletableFuture<Void> sample = sample();
        inFlight = sample;
        // samples complete on the loop, so this runs there, before anyone waiting on the sample can ask again
        sample.whenComplete((v, e) -> {
            if (inFlight == sample) {
                inFlight = null;
            }
        });
        return sample;
    }

    /** One sample: status, then the DERP map when due, then the snapshot and events. Never fails. */
    private CompletableFuture<Void> sample() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        client.get(STATUS_PATH)
                .whenCompleteAsync(
                        (response, failure) -> {
                            try {
                                NodeStatus status;
                                try {
                                    status = statusCodec.parse(body(response, failure), client.socket());
                                } catch (LocalApiException e) {
                                    onStatusFailure(e);
                                    done.complete(null);
                                    return;
                                }
                                statusErrors.onSuccess();
                                refreshDerpMapIfDue(status)
                                        .whenCompleteAsync(
                                                (v, e) -> {
                                                    try {
                                                        onStatus(status);
                                                    } catch (RuntimeException ex) {
                                                        internalError(ex);
                                                    } finally {
                                                        done.complete(null);
                                                    }
                                                },
                                                loop);
                            } catch (RuntimeException e) {
                                internalError(e);
                                done.complete(null);
                            }
                        },
                        loop);
        return done;
    }

    private CompletableFuture<Void> refreshDerpMapIfDue(NodeStatus status) {
        if (!derpMapDue(status)) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        client.get(DERPMAP_PATH)
                .whenCompleteAsync(
                        (response, failure) -> {
                            try {
                                DerpMap map = parseDerpMap(body(response, failure));
                                derpMap = map.isEmpty() ? Optional.empty() : Optional.of(map);
                                derpMapRead = true;
                                derpMapReadAt = nanoTime.getAsLong();
                                derpMapErrors.onSuccess();
                            } catch (LocalApiException e) {
                                instruments.failed(e.kind().wireName());
                                reportError(derpMapErrors, DERPMAP_PATH, e);
                            } catch (RuntimeException e) {
                                internalError(e);
                            } finally {
                                done.complete(null);
                            }
                        },
                        loop);
        return done;
    }

    private boolean derpMapDue(NodeStatus status) {
        if (!derpMapRead) {
            return true;
        }
        long age = nanoTime.getAsLong() - derpMapReadAt;
        if (age >= settings.derpMapInterval().toNanos()) {
            return true;
        }
        String code = status.selfRelay();
        boolean missing =
                !code.isEmpty() && derpMap.flatMap(m -> m.regionByCode(code)).isEmpty();
        return missing && age >= DERP_MAP_MISS_REFRESH.toNanos();
    }

    private DerpMap parseDerpMap(byte[] body) throws LocalApiException {
        try {
            return derpMapCodec.parse(body);
        } catch (DerpMapException e) {
            throw new LocalApiException(
                    LocalApiException.Kind.MALFORMED_JSON,
                    client.socket(),
                    "LocalAPI DERP map from " + client.socket() + ": " + e.getMessage(),
                    e);
        }
    }

    private byte[] body(LocalApiResponse response, Throwable failure) throws LocalApiException {
        if (failure == null) {
            return response.body();
        }
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof LocalApiException e) {
            throw e;
        }
        throw new LocalApiException(
                LocalApiException.Kind.IO,
                client.socket(),
                "LocalAPI request on " + client.socket() + " failed: " + cause,
                cause);
    }

    private void onStatus(NodeStatus status) {
        instruments.sampled();
        HomeConnection connection = HomeConnectionRule.evaluate(status, derpMap);
        connection.region().ifPresent(this::noteRegion);
        publish(connection, Optional.of(status), Optional.empty());
    }

    private void onStatusFailure(LocalApiException e) {
        instruments.sampled();
        instruments.failed(e.kind().wireName());
        reportError(statusErrors, STATUS_PATH, e);
        HomeConnection connection = HomeConnectionRule.failed(e, lastKnownRegion);
        publish(
                connection,
                Optional.empty(),
                Optional.of(new HomeSnapshot.SampleError(e.kind(), STATUS_PATH, e.getMessage())));
    }

    private void noteRegion(HomeRegion region) {
        Optional<HomeRegion> previous = lastKnownRegion;
        lastKnownRegion = Optional.of(region);
        if (previous.isEmpty() || previous.get().code().equals(region.code())) {
            return;
        }
        HomeRegion from = previous.get();
        AttributesBuilder b = HomeConnectionInstruments.regionAttributes(Optional.of(region)).toBuilder();
        from.id().ifPresent(id -> b.put(TelemetryNames.PREVIOUS_REGION_ID, (long) id));
        b.put(TelemetryNames.PREVIOUS_REGION_CODE, from.code());
        from.name().ifPresent(n -> b.put(TelemetryNames.PREVIOUS_REGION_NAME, n));
        String body = "home DERP region changed from " + from.describe() + " to " + region.describe();
        log.info(body);
        events.emit(TelemetryNames.EVENT_HOME_REGION_CHANGED, Severity.INFO, body, b.build());
    }

    private void publish(
            HomeConnection connection, Optional<NodeStatus> status, Optional<HomeSnapshot.SampleError> error) {
        state.update(new HomeSnapshot(connection, status, error, clock.instant()));
        HomeConnection previous = lastConnection;
        lastConnection = connection;
        if (previous != null && previous.value() == connection.value() && previous.reason() == connection.reason()) {
            return;
        }
        AttributesBuilder b = HomeConnectionInstruments.regionAttributes(connection.region()).toBuilder();
        b.put(TelemetryNames.CURRENT, (long) connection.value());
        if (previous != null) {
            b.put(TelemetryNames.PREVIOUS, (long) previous.value());
        }
        b.put(TelemetryNames.REASON, connection.reason().wireName());
        status.ifPresent(s -> b.put(TelemetryNames.BACKEND_STATE, s.backendState()));
        connection.warning().ifPresent(w -> b.put(TelemetryNames.HEALTH_WARNING, w));
        error.ifPresent(e -> {
            b.put(TelemetryNames.ERROR_TYPE, e.kind().wireName());
            b.put(TelemetryNames.LOCALAPI_SOCKET, client.socket().toString());
        });
        String body = describe(previous, connection);
        if (connection.connected()) {
            log.info(body);
        } else {
            log.warn(body);
        }
        events.emit(
                TelemetryNames.EVENT_HOME_CONNECTION_CHANGED,
                connection.connected() ? Severity.INFO : Severity.WARN,
                body,
                b.build());
    }

    private static String describe(HomeConnection previous, HomeConnection current) {
        StringBuilder s = new StringBuilder("home DERP connection ");
        if (previous != null) {
            s.append(previous.value()).append(" -> ");
        }
        s.append(current.value())
                .append(" (")
                .append(current.reason().wireName())
                .append(')');
        current.region().ifPresent(r -> s.append(", region ").append(r.describe()));
        current.warning().ifPresent(w -> s.append(": ").append(w));
        return s.toString();
    }

    private void reportError(ErrorThrottle throttle, String path, LocalApiException e) {
        OptionalLong report = throttle.onError(e.kind().wireName() + " " + path);
        if (report.isEmpty()) {
            log.debug("LocalAPI {} failed again ({}): {}", path, e.kind().wireName(), e.getMessage());
            return;
        }
        log.warn("LocalAPI {} failed ({}): {}", path, e.kind().wireName(), e.getMessage());
        Attributes attributes = Attributes.builder()
                .put(TelemetryNames.SOURCE_NAME, name())
                .put(TelemetryNames.ERROR_TYPE, e.kind().wireName())
                .put(TelemetryNames.ERROR_MESSAGE, e.getMessage())
                .put(TelemetryNames.LOCALAPI_SOCKET, client.socket().toString())
                .put(TelemetryNames.LOCALAPI_PATH, path.replaceFirst("\\?.*$", ""))
                .put(TelemetryNames.ERRORS_SUPPRESSED, report.getAsLong())
                .build();
        events.emit(TelemetryNames.EVENT_SOURCE_ERROR, Severity.WARN, e.getMessage(), attributes);
    }

    private void internalError(RuntimeException e) {
        log.error("status source failed unexpectedly", e);
        instruments.failed("internal");
    }
}
