package io.derpwatch.agent.peers;

import org.jspecify.annotations.Nullable;

/** A status document whose peers cannot be read; the message says what and where. */
public final class PeerStatusException extends Exception {
    public PeerStatusException(String message) {
        super(message);
    }

    public PeerStatusException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
