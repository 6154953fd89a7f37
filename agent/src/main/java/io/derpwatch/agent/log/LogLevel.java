package io.derpwatch.agent.log;

import java.util.Locale;
import org.slf4j.event.Level;

/** Parses the level names users write ({@code trace debug info warn error}, any case; {@code warning} too). */
public final class LogLevel {
    private LogLevel() {}

    public static Level parse(String value) {
        String v = value.trim().toUpperCase(Locale.ROOT);
        if (v.equals("WARNING")) {
            v = "WARN";
        }
        try {
            return Level.valueOf(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "unknown log level \"" + value + "\" (expected one of trace, debug, info, warn, error)", e);
        }
    }
}
