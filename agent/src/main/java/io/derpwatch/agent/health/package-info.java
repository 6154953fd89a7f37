/** Liveness: what {@code /healthz} decides from, and the event-loop lag probe (docs/reliability.md). */
@NullMarked
package io.derpwatch.agent.health;

import org.jspecify.annotations.NullMarked;
