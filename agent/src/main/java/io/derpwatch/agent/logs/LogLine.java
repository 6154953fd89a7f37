package io.derpwatch.agent.logs;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One tailscaled log line with its timestamp prefix taken off.
 *
 * @param time    the time the prefix gives, or null when the line has none
 * @param message the text after the prefix (what the signatures match)
 * @param raw     the whole line as read
 */
public record LogLine(@Nullable Instant time, String message, String raw) {}
