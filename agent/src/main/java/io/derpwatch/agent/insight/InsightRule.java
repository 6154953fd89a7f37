package io.derpwatch.agent.insight;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * One rule: an id, a severity, how long its condition must hold before it is active ({@code holdFor}, like a
 * Prometheus rule's {@code for}), and the condition itself: empty when the inputs it needs are missing (the
 * rule keeps its state), else whether it holds and, if so, the message and evidence.
 */
public record InsightRule(
        String id, InsightSeverity severity, Duration holdFor, Function<InsightInputs, Optional<Verdict>> condition) {

    /** Whether the condition holds; the message and evidence when it does. */
    public record Verdict(boolean holds, String message, Map<String, Object> evidence) {
        public static Verdict no() {
            return new Verdict(false, "", Map.of());
        }

        public static Verdict yes(String message, Map<String, Object> evidence) {
            return new Verdict(true, message, evidence);
        }
    }
}
