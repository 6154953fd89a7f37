package io.derpwatch.agent.source;

/** The state of a supervised component, as {@code derpwatch.component.state} and {@code /healthz} report it. */
public enum ComponentState {
    /** Started, its first sample (or connection) not done yet, within its grace. */
    STARTING("starting"),
    /** Working: completed a sample within its bound. */
    RUNNING("running"),
    /** Has not completed a sample for too long (or a sink worker is dead or its queue too old): unhealthy. */
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
