package io.derpwatch.agent.derp;

/** A DERP map document could not be used; the message says why. */
public final class DerpMapException extends Exception {
    public DerpMapException(String message) {
        super(message);
    }

    public DerpMapException(String message, Throwable cause) {
        super(message, cause);
    }
}
