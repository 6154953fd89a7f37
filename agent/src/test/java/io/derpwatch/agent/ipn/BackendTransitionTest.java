package io.derpwatch.agent.ipn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackendTransitionTest {
    @Test
    void firstState_andEveryChange_areTransitions_sameStateIsNot() {
        assertThat(BackendTransition.between(Optional.empty(), BackendState.RUNNING))
                .hasValue(new BackendTransition(Optional.empty(), BackendState.RUNNING));
        assertThat(BackendTransition.between(Optional.of(BackendState.RUNNING), BackendState.STOPPED))
                .hasValue(new BackendTransition(Optional.of(BackendState.RUNNING), BackendState.STOPPED));
        assertThat(BackendTransition.between(Optional.of(BackendState.RUNNING), BackendState.RUNNING))
                .isEmpty();
    }

    @Test
    void noIpAssigned_isRunningOrStartingWithoutTailscaleIps() {
        assertThat(BackendTransition.noIpAssigned(BackendState.RUNNING, List.of()))
                .isTrue();
        assertThat(BackendTransition.noIpAssigned(BackendState.STARTING, List.of()))
                .isTrue();
        assertThat(BackendTransition.noIpAssigned(BackendState.RUNNING, List.of("100.64.0.1")))
                .isFalse();
        assertThat(BackendTransition.noIpAssigned(BackendState.STOPPED, List.of()))
                .isFalse();
        assertThat(BackendTransition.noIpAssigned(BackendState.NEEDS_LOGIN, List.of()))
                .isFalse();
    }
}
