package io.derpwatch.agent.events;

import io.derpwatch.agent.derpcheck.DerpCheckResult;
import io.derpwatch.agent.derpcheck.DerpCheckSnapshot;
import io.derpwatch.agent.derpcheck.DisagreementRule;
import io.derpwatch.agent.home.HomeSnapshot;
import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.telemetry.TelemetryNames;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.logs.Severity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * {@code tailscale.derp.region.reachable.changed} when the active check's verdict for the home region flips (and
 * on a first check that fails), naming the failing step; {@code tailscale.derp.home_connection.disagreement}
 * when tailscaled's home connection and the check have disagreed for the threshold ({@link DisagreementRule}).
 */
final class DerpCheckChanges implements SnapshotDiff<DerpCheckSnapshot> {
    private final StateStore state;
    private final DisagreementRule disagreement;
    /** The last verdict per region checked in the last round (bounded by derp-check.max-regions). */
    private Map<Integer, Boolean> last = Map.of();

    DerpCheckChanges(StateStore state, DisagreementRule disagreement) {
        this.state = state;
        this.disagreement = disagreement;
    }

    @Override
    public List<ChangeEvent> diff(@Nullable DerpCheckSnapshot previous, DerpCheckSnapshot current) {
        List<ChangeEvent> out = new ArrayList<>(2);
        List<DerpCheckResult> round =
                current.regions().isEmpty() ? current.result().map(List::of).orElse(List.of()) : current.regions();
        Map<Integer, Boolean> before = last;
        Map<Integer, Boolean> now = new HashMap<>();
        for (DerpCheckResult r : round) {
            now.put(r.target().regionId(), r.reachable());
            reachability(before.get(r.target().regionId()), r, isHome(r, current))
                    .ifPresent(out::add);
        }
        last = now;
        if (current.result().isEmpty()) {
            return out;
        }
        DerpCheckResult r = current.result().get();
        Optional<HomeSnapshot> home = state.latest(HomeSnapshot.TOPIC);
        // compared only while tailscaled runs with a home region: connected, or a DERP-home warning
        if (home.isPresent()
                && home.get().error().isEmpty()
                && DisagreementRule.comparable(home.get().connection().reason())) {
            boolean connected = home.get().connection().connected();
            disagreement.observe(connected, r).ifPresent(d -> {
                AttributesBuilder b = target(r).toBuilder()
                        .put(
                                TelemetryNames.REASON,
                                home.get().connection().reason().wireName())
                        .put(TelemetryNames.DERP_CHECK_REACHABLE, r.reachable())
                        .put(TelemetryNames.DISAGREEMENT_DURATION, d.lasted().toNanos() / 1e9);
                r.failedStep().ifPresent(s -> b.put(TelemetryNames.DERP_CHECK_STEP, s.wireName()));
                if (!r.error().isEmpty()) {
                    b.put(TelemetryNames.ERROR_MESSAGE, r.error());
                }
                out.add(new ChangeEvent(
                        TelemetryNames.EVENT_HOME_CONNECTION_DISAGREEMENT,
                        Severity.WARN,
                        connected
                                ? "tailscaled says its home DERP is connected, but this node cannot reach it ("
                                        + r.failedStep().get().wireName() + ": " + r.error() + ")"
                                : "tailscaled says its home DERP is not connected, but this node reaches it",
                        b.build()));
            });
        }
        return out;
    }

    /** A reachability event when the region's verdict flipped, or on its first check when that fails. */
    private static Optional<ChangeEvent> reachability(@Nullable Boolean before, DerpCheckResult r, boolean home) {
        if (before != null ? before == r.reachable() : r.reachable()) {
            return Optional.empty();
        }
        AttributesBuilder b = target(r).toBuilder()
                .put(TelemetryNames.CURRENT, r.reachable() ? 1L : 0L)
                .put(TelemetryNames.DERP_REGION_HOME, home);
        if (before != null) {
            b.put(TelemetryNames.PREVIOUS, before ? 1L : 0L);
        }
        r.failedStep().ifPresent(s -> b.put(TelemetryNames.DERP_CHECK_STEP, s.wireName()));
        if (!r.error().isEmpty()) {
            b.put(TelemetryNames.ERROR_MESSAGE, r.error());
        }
        return Optional.of(new ChangeEvent(
                TelemetryNames.EVENT_DERP_REACHABLE_CHANGED,
                r.reachable() ? Severity.INFO : Severity.WARN,
                "DERP region " + r.target().regionId() + " (" + r.target().hostName() + ") "
                        + (r.reachable()
                                ? "reachable"
                                : "unreachable at " + r.failedStep().get().wireName() + ": " + r.error()),
                b.build()));
    }

    private static boolean isHome(DerpCheckResult r, DerpCheckSnapshot s) {
        return s.result()
                .map(h -> h.target().regionId() == r.target().regionId())
                .orElse(false);
    }

    private static Attributes target(DerpCheckResult r) {
        return Attributes.builder()
                .put(TelemetryNames.REGION_ID, (long) r.target().regionId())
                .put(TelemetryNames.DERP_NODE_NAME, r.target().nodeName())
                .put(TelemetryNames.DERP_NODE_HOST, r.target().hostName())
                .build();
    }
}
