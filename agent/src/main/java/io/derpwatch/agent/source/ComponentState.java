package io.derpwatch.agent.source;

/** The state of a supervised component, as {@code derpwatch.component.state} and {@code /healthz} report it. */
public enum ComponentState {
    /** Started, its first sample (or connection) not done yet, within its grace. */
    STARTING("starting"),
    /** Working: completed a sample within its bound. */
    RUNNING("running"),
    /** A streaming source is opening a connection (its first, or again after a backoff); healthy. */
    CONNECTING("connecting"),
    /** A streaming source's connection is open; records are handled as they arrive (a silent stream is fine). */
    CONNECTED("connected"),
    /**
     * A streaming source's connection ended or failed and it waits to reconnect; healthy, like a polled source
     * that keeps failing on purpose (tailscaled down): restarting the agent would not help.
     */
    BACKING_OFF("backing_off"),
    /**
     * Has not completed a sample for too long, or a streaming source's runner overran its own connect or
     * reconnect deadline (or a sink worker is dead or its queue too old): unhealthy.
     */
    STALLED("stalled"),
    /** Stopped on purpose (shutdown). */
    STOPPED("stopped");

    private final String wireName;

    ComponentState(String wireName) {
        this.wireName = wireName;
    }

    /** The value of the {@code derpwatch.component.state} attribute. */
    public String wireName() {
        return wireName;
    }
}
