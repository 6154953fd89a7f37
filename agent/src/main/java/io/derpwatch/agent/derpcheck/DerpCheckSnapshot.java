package io.derpwatch.agent.derpcheck;

import io.derpwatch.agent.state.Topic;
import java.time.Instant;
import java.util.Optional;

/**
 * The last active check of the home DERP region; published on {@link #TOPIC}.
 *
 * @param result empty when there was nothing to check (no home region known, or the DERP map lacks it)
 */
public record DerpCheckSnapshot(Optional<DerpCheckResult> result, Instant sampledAt) {
    /** The DERP-check topic in the state store. */
    public static final Topic<DerpCheckSnapshot> TOPIC = new Topic<>("derp_check", DerpCheckSnapshot.class);
}
