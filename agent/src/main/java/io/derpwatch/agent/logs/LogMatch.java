package io.derpwatch.agent.logs;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A log line that matched a signature: what a {@code tailscale.log.signature} event carries.
 *
 * @param time       the line's own time, null when it has no timestamp prefix
 * @param signature  the signature's id ({@code derp_home_changed}, ...)
 * @param attributes the fields the signature extracts, by attribute name (values are {@code String},
 *                   {@code Long}, {@code Boolean} or {@code List<String>}), in the table's order
 * @param line       the whole line (the event body)
 */
public record LogMatch(
        @Nullable Instant time, String signature, LogSeverity severity, Map<String, Object> attributes, String line) {

    public LogMatch {
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }
}
