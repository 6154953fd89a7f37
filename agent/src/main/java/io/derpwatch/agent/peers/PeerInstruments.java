package io.derpwatch.agent.peers;

import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.telemetry.TelemetryNames;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;

/**
 * {@code tailscale.peers} by path, {@code tailscale.peers.online} and (when per-peer series are on) the capped
 * {@code tailscale.peer.path.info}, read from the state store's peers topic at collection time.
 */
public final class PeerInstruments {
    private PeerInstruments() {}

    /** Registers the gauges on {@code meter}; {@code perPeer} adds {@code tailscale.peer.path.info}. */
    public static void register(Meter meter, StateStore state, boolean perPeer) {
        meter.gaugeBuilder(TelemetryNames.PEERS)
                .ofLongs()
                .setUnit("{peer}")
                .setDescription("Peers by the path tailscaled uses to reach them")
                .buildWithCallback(m -> state.latest(PeerSnapshot.TOPIC).ifPresent(s -> {
                    for (PeerPath path : PeerPath.values()) {
                        m.record(s.counts().count(path), Attributes.of(TelemetryNames.PEER_PATH, path.wireName()));
                    }
                }));
        meter.gaugeBuilder(TelemetryNames.PEERS_ONLINE)
                .ofLongs()
                .setUnit("{peer}")
                .setDescription("Peers the control plane reports online")
                .buildWithCallback(m -> state.latest(PeerSnapshot.TOPIC)
                        .ifPresent(s -> m.record(s.counts().online())));
        if (perPeer) {
            meter.gaugeBuilder(TelemetryNames.PEER_PATH_INFO)
                    .ofLongs()
                    .setDescription("1 for each (capped) peer's current path, keyed by host name")
                    .buildWithCallback(m -> state.latest(PeerSnapshot.TOPIC).ifPresent(s -> {
                        for (PeerEntry e : s.counts().entries()) {
                            m.record(
                                    1,
                                    Attributes.of(
                                            TelemetryNames.PEER_NAME, e.hostName(),
                                            TelemetryNames.PEER_PATH, e.path().wireName()));
                        }
                    }));
        }
    }
}
