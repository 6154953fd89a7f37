package io.derpwatch.agent.events;

import static io.derpwatch.agent.telemetry.TelemetryNames.*;

import io.derpwatch.agent.peers.PeerPath;
import io.derpwatch.agent.peers.PeerPathTracker.PathChange;
import io.derpwatch.agent.peers.PeerSnapshot;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.logs.Severity;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * {@code tailscale.peer.path.changed}: one event per move the peers source's tracker reported in the new
 * snapshot (it already throttles per peer and counts what it held back).
 */
final class PeerChanges implements SnapshotDiff<PeerSnapshot> {
    @Override
    public List<ChangeEvent> diff(@Nullable PeerSnapshot previous, PeerSnapshot current) {
        List<ChangeEvent> out = new ArrayList<>(current.changes().size());
        for (PathChange c : current.changes()) {
            PeerPath now = c.peer().path();
            AttributesBuilder b = Attributes.builder()
                    .put(PEER_NAME, c.peer().hostName())
                    .put(PEER_PATH, now.wireName())
                    .put(PEER_PREVIOUS_PATH, c.previous().wireName())
                    .put(PEER_CHANGES_SUPPRESSED, c.suppressed());
            if (now == PeerPath.DERP && !c.peer().region().isEmpty()) {
                b.put(REGION_CODE, c.peer().region());
            }
            if (c.previous() == PeerPath.DERP && !c.previousRegion().isEmpty()) {
                b.put(PREVIOUS_REGION_CODE, c.previousRegion());
            }
            out.add(new ChangeEvent(
                    EVENT_PEER_PATH_CHANGED,
                    now.relayed() ? Severity.WARN : Severity.INFO,
                    "peer " + c.peer().hostName() + " moved from " + describe(c.previous(), c.previousRegion()) + " to "
                            + describe(now, c.peer().region()),
                    b.build()));
        }
        return out;
    }

    private static String describe(PeerPath path, String region) {
        return path == PeerPath.DERP && !region.isEmpty() ? "derp (" + region + ")" : path.wireName();
    }
}
