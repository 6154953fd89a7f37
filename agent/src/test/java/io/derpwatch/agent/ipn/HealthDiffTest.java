package io.derpwatch.agent.ipn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthDiffTest {
    static HealthWarning warning(String code, String text) {
        return new HealthWarning(code, "medium", "Title " + code, text, true, Map.of("RegionID", "3"), "");
    }

    @Test
    void appearingCode_isRaised_disappearingCode_isResolved() {
        Map<String, HealthWarning> before = Map.of("network-status", warning("network-status", "down"));
        Map<String, HealthWarning> after = Map.of("no-derp-connection", warning("no-derp-connection", "t"));
        assertThat(HealthDiff.between(before, after))
                .containsExactly(
                        new HealthChange(HealthChange.Kind.RAISED, after.get("no-derp-connection")),
                        new HealthChange(HealthChange.Kind.RESOLVED, before.get("network-status")));
    }

    @Test
    void sameWarning_isNoChange_evenWithAnotherBrokenSince() {
        HealthWarning a = warning("x", "t");
        HealthWarning b = new HealthWarning("x", "medium", "Title x", "t", true, Map.of("RegionID", "3"), "2026");
        assertThat(HealthDiff.between(Map.of("x", a), Map.of("x", b))).isEmpty();
    }

    @Test
    void changedText_orArgs_isRaisedAgainWithTheNewContent() {
        HealthWarning a = warning("derp-timed-out", "in 10s");
        HealthWarning b = warning("derp-timed-out", "in 20s");
        assertThat(HealthDiff.between(Map.of("x", a), Map.of("x", b)))
                .containsExactly(new HealthChange(HealthChange.Kind.RAISED, b));
    }

    @Test
    void countBySeverity_countsActiveWarnings() {
        Map<String, HealthWarning> w = new LinkedHashMap<>();
        w.put("a", warning("a", "t"));
        w.put("b", warning("b", "t"));
        w.put("c", new HealthWarning("c", "high", "", "", false, Map.of(), ""));
        assertThat(HealthDiff.countBySeverity(w)).containsExactly(Map.entry("high", 1L), Map.entry("medium", 2L));
    }
}
