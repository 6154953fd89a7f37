package io.derpwatch.agent.ipn;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpRegion;
import io.derpwatch.agent.home.HomeConnection;
import io.derpwatch.agent.home.HomeConnectionRule;
import io.derpwatch.agent.home.HomeReason;
import io.derpwatch.agent.localapi.NodeStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@code tailscale.derp.home_connection} recomputed at once from what the bus says, over the last
 * {@code /status} read: the bus's backend state and home region (when it sent them) replace the status's, its
 * health warnings replace the status's {@code Health}, and {@link HomeConnectionRule} decides as it does for a
 * status. The DERP-home warnings are also recognised by code, whatever their wording: {@code no-derp-home}
 * (no home at all), {@code no-derp-connection} (unreachable), {@code derp-timed-out} (timed out), in that
 * order. Pure.
 */
public final class BusHomeRule {
    public static final String NO_DERP_HOME = "no-derp-home";
    public static final String NO_DERP_CONNECTION = "no-derp-connection";
    public static final String DERP_TIMED_OUT = "derp-timed-out";

    private static final List<Map.Entry<String, HomeReason>> CODES = List.of(
            Map.entry(NO_DERP_HOME, HomeReason.NO_DERP_HOME),
            Map.entry(NO_DERP_CONNECTION, HomeReason.DERP_UNREACHABLE),
            Map.entry(DERP_TIMED_OUT, HomeReason.DERP_TIMED_OUT));

    private BusHomeRule() {}

    /** Whether {@code code} is one of the three DERP-home warnings. */
    public static boolean isDerpHomeCode(String code) {
        return CODES.stream().anyMatch(e -> e.getKey().equals(code));
    }

    public static HomeConnection evaluate(
            NodeStatus lastStatus,
            Optional<BackendState> busState,
            OptionalInt busHomeRegionId,
            Map<String, HealthWarning> warnings,
            Optional<DerpMap> derpMap) {
        String relay = lastStatus.selfRelay();
        if (busHomeRegionId.isPresent()) {
            int id = busHomeRegionId.getAsInt();
            relay = id == 0
                    ? ""
                    : derpMap.flatMap(m -> m.region(id)).map(DerpRegion::code).orElse(String.valueOf(id));
        }
        NodeStatus merged = new NodeStatus(
                lastStatus.version(),
                busState.map(BackendState::wireName).orElse(lastStatus.backendState()),
                lastStatus.selfPresent(),
                relay,
                warnings.values().stream().map(HealthWarning::text).toList(),
                Optional.empty(),
                lastStatus.tailscaleIps());
        HomeConnection byText = HomeConnectionRule.evaluate(merged, derpMap);
        if (!byText.connected()) {
            return byText;
        }
        for (Map.Entry<String, HomeReason> e : CODES) {
            HealthWarning w = warnings.get(e.getKey());
            if (w != null) {
                return new HomeConnection(0, e.getValue(), byText.region(), Optional.of(w.text()));
            }
        }
        return byText;
    }
}
