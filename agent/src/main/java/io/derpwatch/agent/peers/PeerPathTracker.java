package io.derpwatch.agent.peers;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Diffs each peer's path between samples and reports moves between direct, DERP and peer relay (not to or
 * from idle: an idle peer has no path to speak of), at most one per peer per {@code throttle}; moves inside the
 * throttle window are counted and reported with the next change. Peers gone from the status are forgotten.
 * Not thread-safe: one source feeds it.
 */
public final class PeerPathTracker {
    /**
     * One reported move.
     *
     * @param suppressed how many moves of this peer were not reported since its last change event
     */
    public record PathChange(PeerEntry peer, PeerPath previous, String previousRegion, long suppressed) {}

    private static final class State {
        PeerPath path;
        String region;
        Instant lastReported = Instant.MIN;
        long suppressed;
        boolean seen;

        State(PeerPath path, String region) {
            this.path = path;
            this.region = region;
        }
    }

    private final Duration throttle;
    private final Map<String, State> peers = new HashMap<>();
    private final List<PathChange> pending = new ArrayList<>();
    private Instant now = Instant.EPOCH;

    public PeerPathTracker(Duration throttle) {
        this.throttle = throttle;
    }

    /** Starts a sample taken at {@code now}; feed it every peer with {@link #accept(PeerEntry)}, then {@link #finish()}. */
    public void begin(Instant now) {
        this.now = now;
        pending.clear();
        peers.values().forEach(s -> s.seen = false);
    }

    public void accept(PeerEntry e) {
        State s = peers.get(e.id());
        if (s == null) {
            State fresh = new State(e.path(), e.region());
            fresh.seen = true;
            peers.put(e.id(), fresh);
            return;
        }
        s.seen = true;
        if (e.path() == PeerPath.IDLE || e.path() == s.path) {
            if (e.path() != PeerPath.IDLE) {
                s.region = e.region();
            }
            return;
        }
        if (s.path == PeerPath.IDLE) { // waking up: remember the path, a move is only between two paths in use
            s.path = e.path();
            s.region = e.region();
            return;
        }
        PeerPath previous = s.path;
        String previousRegion = s.region;
        s.path = e.path();
        s.region = e.region();
        if (Duration.between(s.lastReported, now).compareTo(throttle) < 0 && !s.lastReported.equals(Instant.MIN)) {
            s.suppressed++;
            return;
        }
        pending.add(new PathChange(e, previous, previousRegion, s.suppressed));
        s.suppressed = 0;
        s.lastReported = now;
    }

    /** The moves of this sample; forgets peers not seen in it. */
    public List<PathChange> finish() {
        Set<String> gone = new HashSet<>();
        peers.forEach((id, s) -> {
            if (!s.seen) {
                gone.add(id);
            }
        });
        gone.forEach(peers::remove);
        return List.copyOf(pending);
    }

    /** How many peers are tracked (for tests and self-metrics). */
    public int size() {
        return peers.size();
    }
}
