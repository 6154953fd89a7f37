package io.derpwatch.agent.telemetry;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import java.time.Instant;

/** Emits events: OpenTelemetry log records carrying an {@code event.name}. */
public final class EventEmitter {
    /** Sees every event emitted (the status page's event history). */
    @FunctionalInterface
    public interface Listener {
        void emitted(String eventName, Severity severity, String body, Attributes attributes);
    }

    private final Logger logger;
    private volatile Listener listener = (n, s, b, a) -> {};

    public EventEmitter(Logger logger) {
        this.logger = logger;
    }

    /** Emits {@code eventName} now, with a human-readable {@code body} and its attributes. */
    public void emit(String eventName, Severity severity, String body, Attributes attributes) {
        logger.logRecordBuilder()
                .setEventName(eventName)
                .setTimestamp(Instant.now())
                .setSeverity(severity)
                .setSeverityText(severity.name())
                .setBody(body)
                .setAllAttributes(attributes)
                .emit();
        listener.emitted(eventName, severity, body, attributes);
    }

    /** Sets the one listener that sees every event from now on. */
    public void listen(Listener listener) {
        this.listener = listener;
    }
}
