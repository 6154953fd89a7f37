package io.derpwatch.agent.ipn;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What changed between two health states (warnings by code; an absent code is healthy): a code that appears
 * is raised, one that disappears is resolved, one whose severity, title, text, connectivity impact or
 * arguments changed is raised again with its new content (a changed {@code BrokenSince} alone is no change).
 * Raised in the order of {@code after}, then resolved in the order of {@code before}. Pure.
 */
public final class HealthDiff {
    private HealthDiff() {}

    public static List<HealthChange> between(Map<String, HealthWarning> before, Map<String, HealthWarning> after) {
        List<HealthChange> out = new ArrayList<>();
        after.forEach((code, now) -> {
            HealthWarning was = before.get(code);
            if (was == null || !was.sameAs(now)) {
                out.add(new HealthChange(HealthChange.Kind.RAISED, now));
            }
        });
        before.forEach((code, was) -> {
            if (!after.containsKey(code)) {
                out.add(new HealthChange(HealthChange.Kind.RESOLVED, was));
            }
        });
        return out;
    }

    /** Active warnings per severity: the {@code tailscale.health.warnings} gauge ("" for none sent). */
    public static Map<String, Long> countBySeverity(Map<String, HealthWarning> warnings) {
        Map<String, Long> out = new java.util.TreeMap<>();
        warnings.values().forEach(w -> out.merge(w.severity(), 1L, Long::sum));
        return out;
    }
}
