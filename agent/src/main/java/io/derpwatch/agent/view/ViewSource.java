package io.derpwatch.agent.view;

/**
 * Where the status page, {@code /api/state} and {@code derpwatch status} get their snapshot:
 * {@link StateViewSource} builds it from the agent's state store (and, for a one-shot {@code derpwatch status},
 * from a store the status sampler filled once).
 */
@FunctionalInterface
public interface ViewSource {
    /** The current view; cheap, callable from any thread (the admin server calls it on the event loop). */
    AgentView snapshot();
}
