package io.derpwatch.agent.insight;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An insight starting or clearing: what a {@code tailscale.insight} event carries.
 *
 * @param message  what is wrong and what to do (the same text on the cleared transition)
 * @param evidence the values that made the rule fire, by short name (exported as
 *                 {@code tailscale.insight.evidence.<name>}); values are String, Long, Double or Boolean
 */
public record InsightTransition(
        String id, InsightSeverity severity, State state, String message, Map<String, Object> evidence, Instant at) {

    public enum State {
        ACTIVE,
        CLEARED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public InsightTransition {
        evidence = Collections.unmodifiableMap(new LinkedHashMap<>(evidence));
    }
}
