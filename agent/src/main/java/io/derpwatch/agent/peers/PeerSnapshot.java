package io.derpwatch.agent.peers;

import io.derpwatch.agent.state.Topic;
import java.time.Instant;
import java.util.List;

/**
 * One peers sample: the counts by path (and the capped per-peer entries) and the path moves since the last
 * sample, as the {@link PeerPathTracker} reported them (throttled per peer).
 */
public record PeerSnapshot(PeerCounts counts, List<PeerPathTracker.PathChange> changes, Instant sampledAt) {
    public static final Topic<PeerSnapshot> TOPIC = new Topic<>("peers", PeerSnapshot.class);

    public PeerSnapshot {
        changes = List.copyOf(changes);
    }
}
