/**
 * Change events: the one place where two snapshots of a state-store topic are compared and the
 * {@code *.changed} events are made.
 */
@NullMarked
package io.derpwatch.agent.events;

import org.jspecify.annotations.NullMarked;
