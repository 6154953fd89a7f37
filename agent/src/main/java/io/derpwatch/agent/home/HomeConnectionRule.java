package io.derpwatch.agent.home;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.localapi.LocalApiException;
import io.derpwatch.agent.localapi.NodeStatus;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Decides {@code tailscale.derp.home_connection} from a status: 1 exactly when {@code BackendState} is
 * {@code Running}, {@code Self.Relay} is non-empty, and {@code Health} holds none of tailscaled's DERP-home
 * warnings. Pure: no I/O, no clock.
 *
 * <p>The warnings, as {@code health/warnings.go} words them since 1.70 ({@code <name>} is the region's
 * {@code RegionName}, {@code <id>} its id, {@code <d>} a Go duration):
 * <ul>
 *   <li>{@code no-derp-home}: "Tailscale could not connect to any relay server. Check your Internet connection."</li>
 *   <li>{@code no-derp-connection}: "Tailscale could not connect to the '<name>' relay server. ..." or
 *       "Tailscale could not connect to the relay server with ID '<id>'. ..."</li>
 *   <li>{@code derp-timed-out}: "Tailscale hasn't heard from the '<name>' relay server in <d>. ..." or
 *       "Tailscale hasn't heard from the home relay server (region ID '<id>') in <d>. ..."</li>
 * </ul>
 * and before 1.70 ({@code health/health.go} overall error): "no DERP home", "not connected to home DERP region
 * <id>", "haven't heard from home DERP region <id> in <d>". Any other warning leaves the value alone. When
 * several match, the order above decides (no home at all, then unreachable, then timed out).
 */
public final class HomeConnectionRule {
    private static final List<WarningPattern> WARNINGS = List.of(
            new WarningPattern(
                    HomeReason.NO_DERP_HOME, "^Tailscale could not connect to any relay server\\.", "^no DERP home$"),
            new WarningPattern(
                    HomeReason.DERP_UNREACHABLE,
                    "^Tailscale could not connect to the '.*' relay server\\.",
                    "^Tailscale could not connect to the relay server with ID '[^']*'\\.",
                    "^not connected to home DERP region \\d+"),
            new WarningPattern(
                    HomeReason.DERP_TIMED_OUT,
                    "^Tailscale hasn't heard from the '.*' relay server in ",
                    "^Tailscale hasn't heard from the home relay server \\(region ID '[^']*'\\) in ",
                    "^haven't heard from home DERP region \\d+ in "));

    private HomeConnectionRule() {}

    /** The home connection this status shows; the region is named from {@code derpMap} when it has it. */
    public static HomeConnection evaluate(NodeStatus status, Optional<DerpMap> derpMap) {
        Optional<HomeRegion> region = status.selfRelay().isEmpty()
                ? Optional.empty()
                : Optional.of(HomeRegion.resolve(status.selfRelay(), derpMap));
        if (!status.running()) {
            return new HomeConnection(0, HomeReason.NOT_RUNNING, region, Optional.empty());
        }
        if (!status.selfPresent()) {
            return new HomeConnection(0, HomeReason.NO_SELF, Optional.empty(), Optional.empty());
        }
        if (region.isEmpty()) {
            return new HomeConnection(0, HomeReason.NO_HOME_REGION, Optional.empty(), Optional.empty());
        }
        for (WarningPattern w : WARNINGS) {
            for (String text : status.health()) {
                if (w.matches(text)) {
                    return new HomeConnection(0, w.reason(), region, Optional.of(text));
                }
            }
        }
        return new HomeConnection(1, HomeReason.CONNECTED, region, Optional.empty());
    }

    /**
     * The home connection when the LocalAPI failed: 0, {@code localapi_unreachable} or {@code localapi_error},
     * keeping the last home region known so the series stays the same one.
     */
    public static HomeConnection failed(LocalApiException failure, Optional<HomeRegion> lastKnown) {
        HomeReason reason = failure.kind().unreachable() ? HomeReason.LOCALAPI_UNREACHABLE : HomeReason.LOCALAPI_ERROR;
        return new HomeConnection(0, reason, lastKnown, Optional.empty());
    }

    /** The reason a health text gives, if it is one of the DERP-home warnings. */
    public static Optional<HomeReason> classify(String healthText) {
        return WARNINGS.stream()
                .filter(w -> w.matches(healthText))
                .map(WarningPattern::reason)
                .findFirst();
    }

    private record WarningPattern(HomeReason reason, List<Pattern> patterns) {
        WarningPattern(HomeReason reason, String... regexes) {
            this(reason, java.util.Arrays.stream(regexes).map(Pattern::compile).toList());
        }

        boolean matches(String text) {
            return patterns.stream().anyMatch(p -> p.matcher(text).find());
        }
    }
}
