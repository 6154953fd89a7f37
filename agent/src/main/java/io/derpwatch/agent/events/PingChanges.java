package io.derpwatch.agent.events;

import static io.derpwatch.agent.telemetry.TelemetryNames.*;

import io.derpwatch.agent.ping.PingInstruments;
import io.derpwatch.agent.ping.PingPath;
import io.derpwatch.agent.ping.PingSnapshot;
import io.derpwatch.agent.telemetry.TelemetryNames;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Severity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code tailscale.peer.path.changed} from the ping probes: a target whose pong came over another kind of path
 * (direct, DERP, peer relay) than its last pong. Targets without a pong this round keep their last path.
 * {@code tailscale.peer.ping.error} when a target stops answering (unknown peer, tailscaled's error, timeout),
 * throttled per target: once per run of failures, again only when the kind of failure changes; a pong ends
 * the run.
 */
final class PingChanges implements SnapshotDiff<PingSnapshot> {
    private final Map<String, PingPath> last = new HashMap<>();
    private final Map<String, String> failing = new HashMap<>();

    @Override
    public List<ChangeEvent> diff(@Nullable PingSnapshot previous, PingSnapshot current) {
        List<ChangeEvent> out = new ArrayList<>(1);
        for (PingSnapshot.Failure f : current.failures().values()) {
            if (!f.type().equals(failing.put(f.target(), f.type()))) {
                out.add(new ChangeEvent(
                        TelemetryNames.EVENT_PEER_PING_ERROR,
                        Severity.WARN,
                        f.message(),
                        Attributes.builder()
                                .put(TelemetryNames.PEER_NAME, f.target())
                                .put(TelemetryNames.ERROR_TYPE, f.type())
                                .put(TelemetryNames.ERROR_MESSAGE, f.message())
                                .build()));
            }
        }
        current.pongs().keySet().forEach(failing::remove);
        for (PingSnapshot.Pong p : current.pongs().values()) {
            PingPath was = last.put(p.target(), p.path());
            if (was != null && was.kind() != p.path().kind()) {
                out.add(new ChangeEvent(
                        EVENT_PEER_PATH_CHANGED,
                        p.path().kind().relayed() ? Severity.WARN : Severity.INFO,
                        "ping to " + p.target() + " moved from " + was.describe() + " to "
                                + p.path().describe(),
                        PingInstruments.attributes(p).toBuilder()
                                .put(PEER_PREVIOUS_PATH, was.kind().wireName())
                                .build()));
            }
        }
        return out;
    }
}
