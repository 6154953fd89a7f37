package io.derpwatch.agent.source;

import io.opentelemetry.api.common.Attributes;

/**
 * One problem a source met.
 *
 * @param type       {@code error.type} on the counter and the event ({@code timeout}, {@code malformed_json})
 * @param key        what makes two errors "the same" for the throttle (e.g. type and LocalAPI path)
 * @param message    a human-readable message, the event's body and {@code error.message}; never a secret
 * @param attributes extra attributes for the {@code derpwatch.source.error} event (socket, path)
 */
public record SourceError(String type, String key, String message, Attributes attributes) {

    public static SourceError of(String type, String message) {
        return new SourceError(type, type, message, Attributes.empty());
    }
}
