package io.derpwatch.agent.log;

import java.util.Locale;

/** How a log line is written: for people, or one JSON object per line for log collectors. */
public enum LogFormat {
    TEXT,
    JSON;

    /** Parses {@code text} or {@code json}, any case. */
    public static LogFormat parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown log format \"" + value + "\" (expected text or json)", e);
        }
    }
}
