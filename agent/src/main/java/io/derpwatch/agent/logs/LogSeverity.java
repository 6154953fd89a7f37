package io.derpwatch.agent.logs;

import java.util.Locale;

/** How much a matched tailscaled log line matters; {@link #wireName()} is what events and the CLI print. */
public enum LogSeverity {
    INFO,
    WARN,
    ERROR;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
