package io.derpwatch.agent.peers;

import io.derpwatch.agent.localapi.BodyReader;
import io.derpwatch.agent.localapi.LocalApiClient;
import io.derpwatch.agent.localapi.LocalApiException;
import io.derpwatch.agent.localapi.LocalApiPaths;
import io.derpwatch.agent.source.PolledSource;
import io.derpwatch.agent.source.SampleContext;
import io.derpwatch.agent.source.SourceError;
import io.derpwatch.agent.source.SourceException;
import io.derpwatch.agent.telemetry.TelemetryNames;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The peers source: reads {@code /localapi/v0/status} with peers (under {@code peers.max-body-size}), counts
 * the peers by path with the {@link PeerStatusReader} as the body arrives (the body is never held: memory is
 * the counts and the capped per-peer entries) and diffs each peer's path with the {@link PeerPathTracker}. A failed read yields nothing
 * (the store keeps the last counts).
 */
public final class PeersSource implements PolledSource<PeerSnapshot> {
    private final LocalApiClient client;
    private final long maxBodySize;
    private final PeerStatusCodec codec;
    // confined to the event loop (one sample at a time)
    private final PeerPathTracker tracker;

    public PeersSource(LocalApiClient client, PeersSettings settings) {
        this.client = client;
        this.maxBodySize = settings.maxBodySize();
        this.codec = new PeerStatusCodec(settings.perPeerCap());
        this.tracker = new PeerPathTracker(settings.pathChangeThrottle());
    }

    @Override
    public String name() {
        return TelemetryNames.SOURCE_PEERS;
    }

    @Override
    public CompletableFuture<PeerSnapshot> sample(SampleContext context) {
        Instant now = context.clock().wallTime();
        // the tracker sees the peers only once the whole document was read: a body cut short moves no path
        List<PeerEntry> seen = new ArrayList<>();
        PeerStatusReader reader = codec.reader(seen::add);
        BodyReader<PeerCounts> body = new BodyReader<>() {
            @Override
            public void chunk(ByteBuffer bytes) throws PeerStatusException {
                reader.feed(bytes);
            }

            @Override
            public PeerCounts end() throws PeerStatusException {
                return reader.finish();
            }
        };
        return client.get(LocalApiPaths.STATUS_WITH_PEERS, maxBodySize, body).handle((counts, failure) -> {
            if (failure == null) {
                tracker.begin(now);
                seen.forEach(tracker::accept);
                return new PeerSnapshot(counts, tracker.finish(), now);
            }
            LocalApiException e = LocalApiException.failureOf(failure, client.socket());
            if (e.getCause() instanceof PeerStatusException malformed) {
                throw new CompletionException(new SourceException(SourceError.of("malformed", malformed.getMessage())));
            }
            throw new CompletionException(new SourceException(e.sourceError(LocalApiPaths.STATUS_WITH_PEERS)));
        });
    }
}
