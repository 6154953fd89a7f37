package io.derpwatch.agent.localapi;

import io.derpwatch.agent.source.SourceError;
import io.derpwatch.agent.telemetry.TelemetryNames;
import io.opentelemetry.api.common.Attributes;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletionException;

/** A LocalAPI request failed; {@link #kind()} says how, the message says what and where. */
public final class LocalApiException extends Exception {

    /** How a LocalAPI request can fail. {@link #wireName()} is the {@code error.type} attribute value. */
    public enum Kind {
        /** No socket file at the configured path: tailscaled is not running, or the path is wrong. */
        SOCKET_MISSING(true),
        /** The socket exists but this process may not connect to it (file mode, or not root/operator). */
        PERMISSION_DENIED(true),
        /** The socket file exists but nothing listens on it (a stale socket of a stopped tailscaled). */
        CONNECTION_REFUSED(true),
        /** The connection closed before any response arrived. */
        CONNECTION_CLOSED(true),
        /** No complete response within {@code localapi.timeout} (connect to last byte). */
        TIMEOUT(true),
        /** Any other I/O failure talking to the socket. */
        IO(true),
        /** The response body is larger than {@code localapi.max-body-size}. */
        BODY_TOO_LARGE(false),
        /** One record of a streaming response is larger than its record size cap. */
        RECORD_TOO_LARGE(false),
        /** The connection closed before the whole response body arrived. */
        TRUNCATED(false),
        /** tailscaled answered with a non-2xx status. */
        HTTP_STATUS(false),
        /** The response is not HTTP that can be read. */
        PROTOCOL(false),
        /** The body is not the JSON document expected. */
        MALFORMED_JSON(false),
        /** The body exceeds a cap of {@code localapi.limits} (depth, string length, entries); the message names it. */
        LIMIT_EXCEEDED(false);

        private final boolean unreachable;

        Kind(boolean unreachable) {
            this.unreachable = unreachable;
        }

        /** {@code socket_missing}, {@code timeout}, ...: the {@code error.type} attribute value. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** True when tailscaled could not be reached at all; false when it answered badly. */
        public boolean unreachable() {
            return unreachable;
        }
    }

    private final Kind kind;
    private final transient Path socket;
    private final int httpStatus;

    public LocalApiException(Kind kind, Path socket, String message) {
        this(kind, socket, message, null);
    }

    public LocalApiException(Kind kind, Path socket, String message, Throwable cause) {
        this(kind, socket, message, cause, 0);
    }

    /** @param httpStatus the status tailscaled answered with, for {@link Kind#HTTP_STATUS}; else 0 */
    public LocalApiException(Kind kind, Path socket, String message, Throwable cause, int httpStatus) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind);
        this.socket = socket;
        this.httpStatus = httpStatus;
    }

    /** The HTTP status of a {@link Kind#HTTP_STATUS} failure (404 when the daemon lacks the endpoint); else 0. */
    public int httpStatus() {
        return httpStatus;
    }

    public Kind kind() {
        return kind;
    }

    /** The socket the request went to. */
    public Path socket() {
        return socket;
    }

    /** This failure as a source error on {@code path}: keyed by kind and path, with the socket and path. */
    public SourceError sourceError(String path) {
        String bare = LocalApiPaths.withoutQuery(path);
        return new SourceError(
                kind.wireName(),
                kind.wireName() + " " + path,
                getMessage(),
                Attributes.of(TelemetryNames.LOCALAPI_SOCKET, socket.toString(), TelemetryNames.LOCALAPI_PATH, bare));
    }

    /**
     * The body of a LocalAPI answer, from a {@link LocalApiClient#get} future's outcome: the response's body, or
     * the failure as a {@link LocalApiException} (an unexpected one becomes {@link Kind#IO}).
     */
    public static byte[] bodyOf(LocalApiResponse response, Throwable failure, Path socket) throws LocalApiException {
        if (failure == null) {
            return response.body();
        }
        throw failureOf(failure, socket);
    }

    /**
     * A {@link LocalApiClient} future's failure as a {@link LocalApiException} (an unexpected one becomes
     * {@link Kind#IO}); an {@link Error} is rethrown.
     */
    public static LocalApiException failureOf(Throwable failure, Path socket) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof LocalApiException e) {
            return e;
        }
        if (cause instanceof Error e) {
            throw e; // an OutOfMemoryError is the supervisor's, not a LocalAPI failure
        }
        return new LocalApiException(Kind.IO, socket, "LocalAPI request on " + socket + " failed: " + cause, cause);
    }
}
