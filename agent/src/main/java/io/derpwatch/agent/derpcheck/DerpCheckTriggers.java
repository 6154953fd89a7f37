package io.derpwatch.agent.derpcheck;

import io.derpwatch.agent.derp.NodeDerpMap;
import io.derpwatch.agent.home.HomeConnection;
import io.derpwatch.agent.home.HomeReason;
import io.derpwatch.agent.home.HomeRegion;
import io.derpwatch.agent.home.HomeSnapshot;
import io.derpwatch.agent.state.StateStore;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Runs a round of the active check at once, besides its interval: when the home region changes (including the
 * first one known), when a DERP-home warning appears ({@code no-derp-home}, {@code no-derp-connection},
 * {@code derp-timed-out}) or clears back to connected, and when the first DERP map arrives. The trigger only asks the runner for a sample
 * (which joins one already running); the listener returns at once, so the publishing loop is never blocked.
 */
public final class DerpCheckTriggers {
    private static final Set<HomeReason> DERP_HOME_WARNINGS =
            EnumSet.of(HomeReason.NO_DERP_HOME, HomeReason.DERP_UNREACHABLE, HomeReason.DERP_TIMED_OUT);

    private DerpCheckTriggers() {}

    /** Subscribes {@code checkNow} to the home and DERP-map topics of {@code state}. */
    public static void subscribe(StateStore state, Runnable checkNow) {
        state.subscribe(HomeSnapshot.TOPIC, (previous, current) -> {
            if (shouldCheck(previous, current)) {
                checkNow.run();
            }
        });
        state.subscribe(NodeDerpMap.TOPIC, (previous, current) -> {
            if (previous == null && state.latest(HomeSnapshot.TOPIC).isPresent()) {
                checkNow.run();
            }
        });
    }

    /** Whether a home snapshot following {@code previous} warrants a check now. */
    static boolean shouldCheck(@Nullable HomeSnapshot previous, HomeSnapshot current) {
        HomeConnection now = current.connection();
        Optional<String> region = now.region().map(HomeRegion::code);
        if (region.isEmpty()) {
            return false;
        }
        if (previous == null) {
            return true;
        }
        HomeConnection before = previous.connection();
        boolean regionChanged = !before.region().map(HomeRegion::code).equals(region);
        boolean warningRaised =
                DERP_HOME_WARNINGS.contains(now.reason()) && !DERP_HOME_WARNINGS.contains(before.reason());
        boolean warningCleared = DERP_HOME_WARNINGS.contains(before.reason()) && now.reason() == HomeReason.CONNECTED;
        return regionChanged || warningRaised || warningCleared;
    }
}
