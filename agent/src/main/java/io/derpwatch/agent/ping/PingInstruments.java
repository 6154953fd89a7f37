package io.derpwatch.agent.ping;

import io.derpwatch.agent.peers.PeerPath;
import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.telemetry.TelemetryNames;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.Meter;

/** {@code tailscale.peer.ping.latency} per target, with its path, read from the ping topic at collection time. */
public final class PingInstruments {
    private PingInstruments() {}

    public static void register(Meter meter, StateStore state) {
        meter.gaugeBuilder(TelemetryNames.PEER_PING_LATENCY)
                .setUnit("s")
                .setDescription("Round trip of the latest ping to a configured peer through tailscaled")
                .buildWithCallback(m -> state.latest(PingSnapshot.TOPIC)
                        .ifPresent(s -> s.pongs()
                                .values()
                                .forEach(p -> m.record(p.latency().toNanos() / 1e9, attributes(p)))));
    }

    /** The peer, {@code tailscale.peer.path}, and the endpoint kind (direct) or DERP region code (derp). */
    public static Attributes attributes(PingSnapshot.Pong p) {
        AttributesBuilder b = Attributes.builder()
                .put(TelemetryNames.PEER_NAME, p.target())
                .put(TelemetryNames.PEER_PATH, p.path().kind().wireName());
        if (p.path().kind() == PeerPath.DIRECT && !p.path().detail().isEmpty()) {
            b.put(TelemetryNames.PEER_ENDPOINT_KIND, p.path().detail());
        } else if (p.path().kind() == PeerPath.DERP && !p.path().detail().isEmpty()) {
            b.put(TelemetryNames.REGION_CODE, p.path().detail());
        }
        return b.build();
    }
}
