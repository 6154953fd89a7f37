package io.derpwatch.agent.insight;

import io.derpwatch.agent.insight.InsightRule.Verdict;
import io.derpwatch.agent.insight.InsightTransition.State;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Runs the rules over each new {@link InsightInputs} and reports a transition when a rule becomes active (its
 * condition held for its {@code holdFor}) and when it clears (the condition no longer holds). A rule whose
 * inputs are missing keeps its state. Time is the inputs' own {@code at}, so tests run on virtual time. Not
 * thread-safe: one caller (the event loop) feeds it.
 */
public final class InsightEngine {
    private static final class RuleState {
        @Nullable
        Instant holdingSince;

        boolean active;
        Verdict last = Verdict.no();
    }

    private final List<InsightRule> rules;
    private final Map<String, RuleState> states = new HashMap<>();

    public InsightEngine(List<InsightRule> rules) {
        this.rules = List.copyOf(rules);
        for (InsightRule r : rules) {
            if (states.put(r.id(), new RuleState()) != null) {
                throw new IllegalArgumentException("two rules with id " + r.id());
            }
        }
    }

    /** The engine with every built-in rule ({@link InsightRules#all}). */
    public static InsightEngine standard(InsightSettings settings) {
        return new InsightEngine(InsightRules.all(settings));
    }

    public List<InsightTransition> evaluate(InsightInputs in) {
        List<InsightTransition> out = new ArrayList<>();
        for (InsightRule rule : rules) {
            Optional<Verdict> v = rule.condition().apply(in);
            if (v.isEmpty()) {
                continue;
            }
            RuleState s = states.get(rule.id());
            Verdict verdict = v.get();
            if (verdict.holds()) {
                if (s.holdingSince == null) {
                    s.holdingSince = in.at();
                }
                s.last = verdict;
                boolean heldLongEnough =
                        Duration.between(s.holdingSince, in.at()).compareTo(rule.holdFor()) >= 0;
                if (!s.active && heldLongEnough) {
                    s.active = true;
                    out.add(new InsightTransition(
                            rule.id(), rule.severity(), State.ACTIVE, verdict.message(), verdict.evidence(), in.at()));
                }
            } else {
                s.holdingSince = null;
                if (s.active) {
                    s.active = false;
                    out.add(new InsightTransition(
                            rule.id(), rule.severity(), State.CLEARED, s.last.message(), s.last.evidence(), in.at()));
                }
            }
        }
        return out;
    }

    /** The ids of the active insights (for the {@code tailscale.insight.active} gauge), sorted. */
    public Set<String> active() {
        Set<String> ids = new TreeSet<>();
        states.forEach((id, s) -> {
            if (s.active) {
                ids.add(id);
            }
        });
        return ids;
    }

    /** Every rule id, in evaluation order (the gauge reports 0 for the inactive ones). */
    public List<String> ids() {
        return rules.stream().map(InsightRule::id).toList();
    }

    /** How long the condition of {@code id} has held, empty when it does not (for rules built on others). */
    Optional<Instant> holdingSince(String id) {
        RuleState s = states.get(id);
        return s == null ? Optional.empty() : Optional.ofNullable(s.holdingSince);
    }
}
