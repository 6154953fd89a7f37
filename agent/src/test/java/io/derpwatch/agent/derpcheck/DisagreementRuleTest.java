package io.derpwatch.agent.derpcheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** On a virtual clock. */
class DisagreementRuleTest {
    private static final DerpCheckTarget TARGET = new DerpCheckTarget(3, "3a", "derp3.example", "", 443);
    private static final DerpCheckResult OK = new DerpCheckResult(TARGET, Optional.empty(), "", Map.of());
    private static final DerpCheckResult FAILED =
            new DerpCheckResult(TARGET, Optional.of(DerpCheckStep.TCP), "connection refused", Map.of());

    private long now;
    private final DisagreementRule rule = new DisagreementRule(Duration.ofMinutes(2), () -> now);

    @Test
    void zombieHome_tailscaledConnectedWhileTheCheckFails_isReportedOnceAfterTheThreshold() {
        assertThat(rule.observe(true, FAILED)).isEmpty();
        now += Duration.ofSeconds(119).toNanos();
        assertThat(rule.observe(true, FAILED)).isEmpty();
        now += Duration.ofSeconds(1).toNanos();
        DisagreementRule.Disagreement d = rule.observe(true, FAILED).orElseThrow();
        assertThat(d.tailscaledConnected()).isTrue();
        assertThat(d.check().failedStep()).contains(DerpCheckStep.TCP);
        assertThat(d.lasted()).isEqualTo(Duration.ofMinutes(2));
        now += Duration.ofMinutes(5).toNanos();
        assertThat(rule.observe(true, FAILED)).isEmpty();
    }

    @Test
    void agreement_resetsIt_soTheNextDisagreementIsReportedAgain() {
        DisagreementRule instant = new DisagreementRule(Duration.ZERO, () -> now);
        assertThat(instant.observe(false, OK)).isPresent();
        assertThat(instant.observe(false, OK)).isEmpty();
        assertThat(instant.observe(true, OK)).isEmpty();
        assertThat(instant.observe(false, OK)).isPresent();
    }

    @Test
    void agreeingSides_areNeverReported() {
        DisagreementRule instant = new DisagreementRule(Duration.ZERO, () -> now);
        assertThat(instant.observe(true, OK)).isEmpty();
        assertThat(instant.observe(false, FAILED)).isEmpty();
    }
}
