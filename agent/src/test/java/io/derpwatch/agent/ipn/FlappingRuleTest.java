package io.derpwatch.agent.ipn;

import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.agent.ipn.FlappingRule.Verdict.Kind;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** On a virtual clock: no sleeps. */
class FlappingRuleTest {
    private long now = 1_000_000_000L;
    private final FlappingRule rule = new FlappingRule(3, Duration.ofMinutes(5), () -> now);

    private void advance(Duration d) {
        now += d.toNanos();
    }

    @Test
    void firstChange_isReportedAtOnce() {
        assertThat(rule.onChange("no-derp-connection").kind()).isEqualTo(Kind.REPORT);
    }

    @Test
    void moreThanMaxChangesInTheWindow_flapsOnce_thenSuppresses_andCountsEveryChange() {
        for (int i = 0; i < 3; i++) {
            assertThat(rule.onChange("h").kind()).isEqualTo(Kind.REPORT);
            advance(Duration.ofSeconds(10));
        }
        FlappingRule.Verdict flap = rule.onChange("h");
        assertThat(flap.kind()).isEqualTo(Kind.FLAPPING);
        assertThat(flap.changesInWindow()).isEqualTo(4);
        advance(Duration.ofSeconds(10));
        FlappingRule.Verdict next = rule.onChange("h");
        assertThat(next.kind()).isEqualTo(Kind.SUPPRESSED);
        assertThat(next.totalChanges()).isEqualTo(5);
        assertThat(rule.suppressed("h")).isTrue();
        assertThat(rule.onChange("other").kind()).isEqualTo(Kind.REPORT);
    }

    @Test
    void changesSpreadWiderThanTheWindow_neverFlap() {
        for (int i = 0; i < 10; i++) {
            assertThat(rule.onChange("h").kind()).isEqualTo(Kind.REPORT);
            advance(Duration.ofMinutes(2));
        }
    }

    @Test
    void suppression_endsAfterAWholeStableWindow_andTheNextChangeIsReported() {
        for (int i = 0; i < 4; i++) {
            rule.onChange("h");
        }
        advance(Duration.ofMinutes(4));
        assertThat(rule.onChange("h").kind()).isEqualTo(Kind.SUPPRESSED); // still flapping: the window restarts
        advance(Duration.ofMinutes(4).plusSeconds(59));
        assertThat(rule.suppressed("h")).isTrue();
        advance(Duration.ofSeconds(1));
        assertThat(rule.suppressed("h")).isFalse();
        assertThat(rule.onChange("h").kind()).isEqualTo(Kind.REPORT);
    }

    @Test
    void windowZero_turnsTheRuleOff() {
        FlappingRule off = new FlappingRule(1, Duration.ZERO, () -> now);
        for (int i = 0; i < 20; i++) {
            assertThat(off.onChange("h").kind()).isEqualTo(Kind.REPORT);
        }
    }
}
