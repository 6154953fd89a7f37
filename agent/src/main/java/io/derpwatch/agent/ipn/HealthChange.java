package io.derpwatch.agent.ipn;

import java.util.Objects;

/**
 * One warning raised or resolved between two health states: the {@code tailscale.health.warning} event.
 *
 * @param warning the warning as raised, or as it last was when resolved
 */
public record HealthChange(Kind kind, HealthWarning warning) {
    public enum Kind {
        RAISED,
        RESOLVED;

        /** {@code raised} / {@code resolved}: the {@code tailscale.health.state} attribute. */
        public String wireName() {
            return this == RAISED ? "raised" : "resolved";
        }
    }

    public HealthChange {
        Objects.requireNonNull(kind);
        Objects.requireNonNull(warning);
    }
}
