package io.derpwatch.agent.derp;

import io.derpwatch.agent.localapi.LocalApiClient;
import io.derpwatch.agent.localapi.LocalApiException;
import io.derpwatch.agent.localapi.LocalApiPaths;
import io.derpwatch.agent.source.PolledSource;
import io.derpwatch.agent.source.SampleContext;
import io.derpwatch.agent.source.Source;
import io.derpwatch.agent.source.SourceException;
import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.telemetry.TelemetryNames;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Reads tailscaled's DERP map ({@code /localapi/v0/derpmap}) every {@code status.derp-map-interval}, and sooner
 * when the status sampler or netcheck asks (the map unknown, or lacking the home region). A failed read yields
 * nothing, so the store keeps the last good map.
 */
public final class DerpMapSource implements PolledSource<NodeDerpMap> {
    private final LocalApiClient client;
    private final DerpMapCodec codec = new DerpMapCodec();

    public DerpMapSource(LocalApiClient client) {
        this.client = client;
    }

    @Override
    public String name() {
        return TelemetryNames.SOURCE_DERP_MAP;
    }

    @Override
    public CompletableFuture<NodeDerpMap> sample(SampleContext context) {
        return client.get(LocalApiPaths.DERP_MAP).handle((response, failure) -> {
            try {
                byte[] body = LocalApiException.bodyOf(response, failure, client.socket());
                DerpMap map = parse(body);
                return new NodeDerpMap(
                        map, context.clock().wallTime(), context.clock().monotonicNanos());
            } catch (LocalApiException e) {
                throw new CompletionException(new SourceException(e.sourceError(LocalApiPaths.DERP_MAP)));
            }
        });
    }

    /**
     * The node's DERP map as {@code state} has it, or, when there is none yet, after {@code runner} (this source,
     * supervised) has read it: what netcheck's {@code derp-map.source = localapi} uses instead of a second read.
     */
    public static Supplier<CompletableFuture<DerpMap>> latestOrRead(StateStore state, Source runner) {
        return () -> state.latest(NodeDerpMap.TOPIC)
                .map(m -> CompletableFuture.completedFuture(m.map()))
                .orElseGet(() -> runner.sampleOnce()
                        .thenApply(v -> state.latest(NodeDerpMap.TOPIC)
                                .map(NodeDerpMap::map)
                                .orElseThrow(() -> new CompletionException(
                                        new IllegalStateException("the LocalAPI DERP map could not be read")))));
    }

    private DerpMap parse(byte[] body) throws LocalApiException {
        try {
            return codec.parse(body);
        } catch (DerpMapException e) {
            throw new LocalApiException(
                    LocalApiException.Kind.MALFORMED_JSON,
                    client.socket(),
                    "LocalAPI DERP map from " + client.socket() + ": " + e.getMessage(),
                    e);
        }
    }
}
