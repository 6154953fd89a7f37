package io.derpwatch.agent.peers;

import java.util.Locale;

/**
 * How tailscaled reaches a peer, from its {@code /status} entry: {@code CurAddr} set → {@link #DIRECT}; else
 * {@code PeerRelay} set (1.86+) → {@link #PEER_RELAY}; else {@code Active} → {@link #DERP} (through its DERP
 * {@code Relay}); else {@link #IDLE} (no recent traffic, no path in use).
 */
public enum PeerPath {
    DIRECT,
    DERP,
    PEER_RELAY,
    IDLE;

    /** The {@code tailscale.peer.path} attribute value. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Traffic goes through a relay (DERP or a peer relay) rather than directly. */
    public boolean relayed() {
        return this == DERP || this == PEER_RELAY;
    }

    static PeerPath of(boolean curAddr, boolean peerRelay, boolean active) {
        if (curAddr) {
            return DIRECT;
        }
        if (peerRelay) {
            return PEER_RELAY;
        }
        return active ? DERP : IDLE;
    }
}
