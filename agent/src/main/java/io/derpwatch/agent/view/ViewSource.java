package io.derpwatch.agent.view;

/**
 * Where the status page, {@code /api/state} and {@code derpwatch status} get their snapshot. Today
 * {@link LiveViewSource} builds it from the agent's home state, netcheck history, events and sink stats; the
 * state store can take its place behind this interface.
 */
@FunctionalInterface
public interface ViewSource {
    /** The current view; cheap, callable from any thread (the admin server calls it on the event loop). */
    AgentView snapshot();
}
