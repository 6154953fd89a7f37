package io.derpwatch.agent.ping;

import org.jspecify.annotations.Nullable;

/** A ping answer that cannot be read. */
public final class PingException extends Exception {
    public PingException(String message) {
        super(message);
    }

    public PingException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
