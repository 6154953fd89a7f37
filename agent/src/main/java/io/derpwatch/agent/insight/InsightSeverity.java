package io.derpwatch.agent.insight;

import java.util.Locale;

/** How urgent an insight is; {@link #wireName()} is the {@code tailscale.insight.severity} value. */
public enum InsightSeverity {
    /** Advice: a setting that would make the node more robust. */
    INFO,
    /** Degraded: it works, worse than it could. */
    WARNING,
    /** Broken: the node cannot reach its home relay or the tailnet. */
    CRITICAL;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
