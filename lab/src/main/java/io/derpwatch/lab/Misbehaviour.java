package io.derpwatch.lab;

/**
 * Ways the emulator can answer badly on demand, for tests of the agent's LocalAPI client. Each applies to
 * every LocalAPI request until it is switched back to {@link #NONE}.
 */
public enum Misbehaviour {
    /** Answer like tailscaled. */
    NONE,
    /** 200 with {@code application/json} whose body is not JSON. */
    GARBAGE_JSON,
    /** Declare a {@code Content-Length} larger than what is sent, send half the body, then close. */
    TRUNCATED_BODY,
    /** A 2 MiB JSON body with a matching {@code Content-Length}. */
    OVERSIZED_BODY,
    /** A 2 MiB JSON body in chunked transfer encoding (no length known up front). */
    OVERSIZED_CHUNKED_BODY,
    /** Accept the connection, read the request, never answer (the connection stays open). */
    NO_ANSWER,
    /** 500 with a plain-text body, as tailscaled's {@code http.Error} writes it. */
    SERVER_ERROR
}
