package io.derpwatch.agent.telemetry;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** Emits events: OpenTelemetry log records carrying an {@code event.name}. */
public final class EventEmitter {
    private final Logger logger;
    private final Runnable flushNow;

    public EventEmitter(Logger logger) {
        this(logger, () -> {});
    }

    /** @param flushNow asks the event batcher to hand what is queued to the sinks now (change events) */
    public EventEmitter(Logger logger, Runnable flushNow) {
        this.logger = logger;
        this.flushNow = flushNow;
    }

    /**
     * Emits a change event and hands it to the sinks at once, not on the next {@code event-flush-interval}
     * tick (a change is what an operator waits for).
     */
    public void emitNow(String eventName, Severity severity, String body, Attributes attributes) {
        emit(eventName, severity, body, attributes);
        flushNow.run();
    }

    /**
     * Like {@link #emitNow(String, Severity, String, Attributes)}, for an event that happened at {@code time}
     * (a log line's own time): that is the record's timestamp, now its observed timestamp; null: now.
     */
    public void emitNow(
            String eventName, Severity severity, String body, Attributes attributes, @Nullable Instant time) {
        Instant now = Instant.now();
        logger.logRecordBuilder()
                .setEventName(eventName)
                .setTimestamp(time == null ? now : time)
                .setObservedTimestamp(now)
                .setSeverity(severity)
                .setSeverityText(severity.name())
                .setBody(body)
                .setAllAttributes(attributes)
                .emit();
        flushNow.run();
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
    }
}
