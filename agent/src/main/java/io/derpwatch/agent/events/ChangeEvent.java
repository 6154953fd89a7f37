package io.derpwatch.agent.events;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Severity;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One event a snapshot change gives: its {@code event.name}, severity, body and attributes.
 *
 * @param time when it happened, if that is known apart from now (a log line's own time); null: now
 */
record ChangeEvent(
        String name,
        Severity severity,
        String body,
        Attributes attributes,
        @Nullable Instant time) {
    ChangeEvent(String name, Severity severity, String body, Attributes attributes) {
        this(name, severity, body, attributes, null);
    }
}
