package io.derpwatch.agent.source;

/**
 * One supervised component's health at one moment.
 *
 * @param kind   {@code source} or {@code sink} (also {@code event_loop})
 * @param name   the component's name
 * @param state  what it is doing
 * @param detail why, for {@code /healthz}'s body (e.g. "no completed sample for 45s (bound 30s)")
 */
public record ComponentHealth(String kind, String name, ComponentState state, String detail) {

    public boolean healthy() {
        return state != ComponentState.STALLED;
    }
}
