/**
 * The agent at a glance: one {@link io.derpwatch.agent.view.AgentView} snapshot (home connection, netcheck
 * history, peers, events, sinks) for the status page, {@code /api/state} and {@code derpwatch status}.
 */
@NullMarked
package io.derpwatch.agent.view;

import org.jspecify.annotations.NullMarked;
