package io.derpwatch.agent.peers;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What one {@code /status} read says about the peers: how many use each path, how many are online, and the
 * first {@code cap} peers (by document order) for per-peer series.
 *
 * @param byPath    count of peers per path (every path present, zeros included)
 * @param entries   at most the cap's worth of peers
 * @param truncated how many peers were counted but left out of {@code entries}
 * @param selfUdpPort the UDP port of this node's own local endpoints ({@code Self.Addrs}: the port of its
 *                    private-address endpoints, else of its first), 0 when the status lists none
 */
public record PeerCounts(
        Map<PeerPath, Integer> byPath, int online, List<PeerEntry> entries, int truncated, int selfUdpPort) {

    public PeerCounts(Map<PeerPath, Integer> byPath, int online, List<PeerEntry> entries, int truncated) {
        this(byPath, online, entries, truncated, 0);
    }

    public PeerCounts {
        EnumMap<PeerPath, Integer> all = new EnumMap<>(PeerPath.class);
        for (PeerPath p : PeerPath.values()) {
            all.put(p, byPath.getOrDefault(p, 0));
        }
        byPath = java.util.Collections.unmodifiableMap(all);
        entries = List.copyOf(entries);
    }

    public int total() {
        return byPath.values().stream().mapToInt(Integer::intValue).sum();
    }

    public int count(PeerPath path) {
        return byPath.get(path);
    }

    /** Peers with a path in use (direct or relayed): the denominator of the relayed share. */
    public int active() {
        return total() - count(PeerPath.IDLE);
    }

    /** The share of active peers that go through a relay (DERP or peer relay), 0 when none is active. */
    public double relayedShare() {
        int active = active();
        return active == 0 ? 0 : (double) (count(PeerPath.DERP) + count(PeerPath.PEER_RELAY)) / active;
    }
}
