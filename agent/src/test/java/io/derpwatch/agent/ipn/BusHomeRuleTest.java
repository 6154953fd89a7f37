package io.derpwatch.agent.ipn;

import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.agent.home.HomeConnection;
import io.derpwatch.agent.home.HomeReason;
import io.derpwatch.agent.localapi.NodeStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class BusHomeRuleTest {
    private static final NodeStatus CONNECTED =
            new NodeStatus("1.102.1", "Running", true, "r3", List.of(), Optional.empty());

    private static HomeConnection eval(Map<String, HealthWarning> warnings) {
        return BusHomeRule.evaluate(CONNECTED, Optional.empty(), OptionalInt.empty(), warnings, Optional.empty());
    }

    @Test
    void noWarnings_overAConnectedStatus_isConnected() {
        assertThat(eval(Map.of()).reason()).isEqualTo(HomeReason.CONNECTED);
    }

    @Test
    void eachDerpHomeCode_decidesByCode_whateverItsWording() {
        assertThat(eval(Map.of("no-derp-home", HealthDiffTest.warning("no-derp-home", "reworded")))
                        .reason())
                .isEqualTo(HomeReason.NO_DERP_HOME);
        assertThat(eval(Map.of("no-derp-connection", HealthDiffTest.warning("no-derp-connection", "reworded")))
                        .reason())
                .isEqualTo(HomeReason.DERP_UNREACHABLE);
        HomeConnection timedOut = eval(Map.of("derp-timed-out", HealthDiffTest.warning("derp-timed-out", "quiet")));
        assertThat(timedOut.reason()).isEqualTo(HomeReason.DERP_TIMED_OUT);
        assertThat(timedOut.warning()).hasValue("quiet");
        assertThat(timedOut.region().orElseThrow().code()).isEqualTo("r3");
    }

    @Test
    void otherWarnings_leaveTheHomeConnectionAlone() {
        assertThat(eval(Map.of("network-status", HealthDiffTest.warning("network-status", "x")))
                        .connected())
                .isTrue();
    }

    @Test
    void busStateAndHome_overrideTheLastStatus() {
        assertThat(BusHomeRule.evaluate(
                                CONNECTED,
                                Optional.of(BackendState.STOPPED),
                                OptionalInt.empty(),
                                Map.of(),
                                Optional.empty())
                        .reason())
                .isEqualTo(HomeReason.NOT_RUNNING);
        assertThat(BusHomeRule.evaluate(CONNECTED, Optional.empty(), OptionalInt.of(0), Map.of(), Optional.empty())
                        .reason())
                .isEqualTo(HomeReason.NO_HOME_REGION);
        assertThat(BusHomeRule.evaluate(CONNECTED, Optional.empty(), OptionalInt.of(9), Map.of(), Optional.empty())
                        .region()
                        .orElseThrow()
                        .code())
                .isEqualTo("9");
    }

    @Test
    void derpHomeCodes_areExactlyTheThree() {
        assertThat(BusHomeRule.isDerpHomeCode("no-derp-connection")).isTrue();
        assertThat(BusHomeRule.isDerpHomeCode("network-status")).isFalse();
    }
}
