package io.derpwatch.agent.ipn;

import io.derpwatch.agent.state.Topic;
import java.time.Instant;

/**
 * tailscaled's backend state, from the IPN bus ({@code mode} {@code bus}) or the last {@code /status} read
 * ({@code poll}); published on {@link #TOPIC}.
 *
 * @param mode {@code bus} or {@code poll}: where the state was read
 */
public record BackendSnapshot(BackendState state, String mode, Instant sampledAt) {
    /** The backend-state topic in the state store. */
    public static final Topic<BackendSnapshot> TOPIC = new Topic<>("backend", BackendSnapshot.class);
}
