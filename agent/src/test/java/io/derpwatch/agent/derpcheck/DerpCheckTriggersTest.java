package io.derpwatch.agent.derpcheck;

import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.NodeDerpMap;
import io.derpwatch.agent.home.HomeConnection;
import io.derpwatch.agent.home.HomeReason;
import io.derpwatch.agent.home.HomeRegion;
import io.derpwatch.agent.home.HomeSnapshot;
import io.derpwatch.agent.state.StateStore;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** When the active check runs besides its interval. */
class DerpCheckTriggersTest {
    private final StateStore state = new StateStore();
    private final AtomicInteger checks = new AtomicInteger();

    private static HomeSnapshot home(String code, HomeReason reason) {
        return new HomeSnapshot(
                new HomeConnection(
                        reason == HomeReason.CONNECTED ? 1 : 0,
                        reason,
                        Optional.of(new HomeRegion(code, OptionalInt.empty(), Optional.empty())),
                        Optional.empty()),
                Optional.empty(),
                Optional.empty(),
                Instant.EPOCH);
    }

    @Test
    void firstHome_homeChange_andDerpHomeWarningRaisedOrCleared_eachCheckOnce_steadyStateDoesNot() {
        DerpCheckTriggers.subscribe(state, checks::incrementAndGet);

        state.publish(HomeSnapshot.TOPIC, home("nyc", HomeReason.CONNECTED));
        assertThat(checks).hasValue(1);
        state.publish(HomeSnapshot.TOPIC, home("nyc", HomeReason.CONNECTED));
        assertThat(checks).hasValue(1);
        state.publish(HomeSnapshot.TOPIC, home("fra", HomeReason.CONNECTED));
        assertThat(checks).hasValue(2);
        state.publish(HomeSnapshot.TOPIC, home("fra", HomeReason.DERP_UNREACHABLE));
        assertThat(checks).hasValue(3);
        state.publish(HomeSnapshot.TOPIC, home("fra", HomeReason.DERP_TIMED_OUT));
        assertThat(checks).as("still a DERP-home warning").hasValue(3);
        state.publish(HomeSnapshot.TOPIC, home("fra", HomeReason.CONNECTED));
        assertThat(checks).as("the warning cleared").hasValue(4);
        state.publish(HomeSnapshot.TOPIC, home("fra", HomeReason.NOT_RUNNING));
        assertThat(checks).as("stopped: no DERP-home question").hasValue(4);
    }

    @Test
    void firstDerpMap_afterTheHome_checks() {
        DerpCheckTriggers.subscribe(state, checks::incrementAndGet);
        state.publish(NodeDerpMap.TOPIC, new NodeDerpMap(DerpMap.EMPTY, Instant.EPOCH, 0));
        assertThat(checks).as("no home known yet").hasValue(0);

        StateStore other = new StateStore();
        AtomicInteger n = new AtomicInteger();
        DerpCheckTriggers.subscribe(other, n::incrementAndGet);
        other.publish(HomeSnapshot.TOPIC, home("nyc", HomeReason.CONNECTED));
        other.publish(NodeDerpMap.TOPIC, new NodeDerpMap(DerpMap.EMPTY, Instant.EPOCH, 0));
        other.publish(NodeDerpMap.TOPIC, new NodeDerpMap(DerpMap.EMPTY, Instant.EPOCH, 1));
        assertThat(n).as("home, then the first map; a later map does not").hasValue(2);
    }
}
