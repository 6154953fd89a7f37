package io.derpwatch.agent.derpcheck;

import io.derpwatch.agent.state.Topic;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The last round of active DERP checks; published on {@link #TOPIC}.
 *
 * @param result  the home region's check, empty when there was nothing to check (no home region known, or the
 *                DERP map lacks it)
 * @param regions every region checked in the round, by region id, the home region's result among them; just
 *                the home result with {@code derp-check.regions = home}
 */
public record DerpCheckSnapshot(Optional<DerpCheckResult> result, Instant sampledAt, List<DerpCheckResult> regions) {
    /** The DERP-check topic in the state store. */
    public static final Topic<DerpCheckSnapshot> TOPIC = new Topic<>("derp_check", DerpCheckSnapshot.class);

    public DerpCheckSnapshot {
        regions = List.copyOf(regions);
    }

    /** A home-only round: {@link #regions()} is the home result, if any. */
    public DerpCheckSnapshot(Optional<DerpCheckResult> result, Instant sampledAt) {
        this(result, sampledAt, result.map(List::of).orElse(List.of()));
    }
}
