package io.derpwatch.agent.home;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.NodeDerpMap;
import io.derpwatch.agent.localapi.LocalApiClient;
import io.derpwatch.agent.localapi.LocalApiException;
import io.derpwatch.agent.localapi.LocalApiPaths;
import io.derpwatch.agent.localapi.NodeStatus;
import io.derpwatch.agent.localapi.StatusCodec;
import io.derpwatch.agent.source.PolledSource;
import io.derpwatch.agent.source.SampleContext;
import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.telemetry.TelemetryNames;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The status source: reads {@code /localapi/v0/status?peers=false}, decides the home DERP connection with
 * {@link HomeConnectionRule} against the node's DERP map from the state store, and yields a
 * {@link HomeSnapshot}. A LocalAPI failure is reported and still yields a snapshot (value 0, the reason, the
 * last known region). The DERP map is read by the DERP map source on its own timer; this sampler asks it for
 * a read first only when the map is unknown, or lacks the home region and is older than
 * {@link #DERP_MAP_MISS_REFRESH}. Also what {@code derpwatch status} runs, once.
 */
public final class StatusSource implements PolledSource<HomeSnapshot> {
    /** While the DERP map lacks the home region, it is re-read at most this often. */
    static final Duration DERP_MAP_MISS_REFRESH = Duration.ofMinutes(1);

    private final LocalApiClient client;
    private final StateStore state;
    private final Supplier<CompletableFuture<Void>> readDerpMap;
    private final StatusCodec codec = new StatusCodec();
    // confined to the event loop (one sample at a time)
    private Optional<HomeRegion> lastKnownRegion = Optional.empty();

    /**
     * @param state       where the node's DERP map is read from ({@link NodeDerpMap#TOPIC})
     * @param readDerpMap reads the DERP map now (the DERP map source's {@code sampleOnce}); completes when done
     */
    public StatusSource(LocalApiClient client, StateStore state, Supplier<CompletableFuture<Void>> readDerpMap) {
        this.client = client;
        this.state = state;
        this.readDerpMap = readDerpMap;
    }

    @Override
    public String name() {
        return TelemetryNames.SOURCE_STATUS;
    }

    @Override
    public CompletableFuture<HomeSnapshot> sample(SampleContext context) {
        return client.get(LocalApiPaths.STATUS)
                .handle((response, failure) -> {
                    try {
                        byte[] body = LocalApiException.bodyOf(response, failure, client.socket());
                        return new Read(codec.parse(body, client.socket()), null);
                    } catch (LocalApiException e) {
                        return new Read(null, e);
                    }
                })
                .thenCompose(read -> {
                    if (read.error() != null) {
                        return CompletableFuture.completedFuture(failed(read.error(), context));
                    }
                    NodeStatus status = read.status();
                    return derpMapIfDue(status, context).thenApply(v -> evaluate(status, context));
                });
    }

    private CompletableFuture<Void> derpMapIfDue(NodeStatus status, SampleContext context) {
        Optional<NodeDerpMap> known = state.latest(NodeDerpMap.TOPIC);
        if (known.isEmpty()) {
            return readDerpMap.get();
        }
        String code = status.selfRelay();
        boolean missing =
                !code.isEmpty() && known.get().map().regionByCode(code).isEmpty();
        long age = context.clock().monotonicNanos() - known.get().readAtNanos();
        return missing && age >= DERP_MAP_MISS_REFRESH.toNanos()
                ? readDerpMap.get()
                : CompletableFuture.completedFuture(null);
    }

    private HomeSnapshot evaluate(NodeStatus status, SampleContext context) {
        Optional<DerpMap> map =
                state.latest(NodeDerpMap.TOPIC).map(NodeDerpMap::map).filter(m -> !m.isEmpty());
        HomeConnection connection = HomeConnectionRule.evaluate(status, map);
        if (connection.region().isPresent()) {
            lastKnownRegion = connection.region();
        }
        return new HomeSnapshot(
                connection,
                Optional.of(status),
                Optional.empty(),
                context.clock().wallTime());
    }

    private HomeSnapshot failed(LocalApiException e, SampleContext context) {
        context.error(e.sourceError(LocalApiPaths.STATUS));
        return new HomeSnapshot(
                HomeConnectionRule.failed(e, lastKnownRegion),
                Optional.empty(),
                Optional.of(new HomeSnapshot.SampleError(e.kind(), LocalApiPaths.STATUS, e.getMessage())),
                context.clock().wallTime());
    }

    /** A status read: the status, or why there is none. */
    private record Read(
            @Nullable NodeStatus status, @Nullable LocalApiException error) {}
}
