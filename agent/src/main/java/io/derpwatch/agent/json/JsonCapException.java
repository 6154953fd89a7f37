package io.derpwatch.agent.json;

import java.io.IOException;

/**
 * A JSON document exceeds one of the caps of {@code derpwatch.localapi.limits}; the message names the cap, its
 * value and its config key. Reading stopped there: the work it caused is bounded by the cap.
 */
public final class JsonCapException extends IOException {
    private final String key;

    public JsonCapException(String message, String key) {
        super(message + " (cap " + key + ")");
        this.key = key;
    }

    /** The full config key of the cap that was exceeded. */
    public String key() {
        return key;
    }
}
