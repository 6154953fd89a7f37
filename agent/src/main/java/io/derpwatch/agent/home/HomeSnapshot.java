package io.derpwatch.agent.home;

import io.derpwatch.agent.localapi.LocalApiException;
import io.derpwatch.agent.localapi.NodeStatus;
import io.derpwatch.agent.state.Topic;
import java.time.Instant;
import java.util.Optional;

/**
 * The latest view of this node's home DERP connection, replaced as a whole after every status sample; published
 * on {@link #TOPIC}.
 *
 * @param status the status read, empty when the LocalAPI failed
 * @param error  why the LocalAPI failed, empty when it answered
 */
public record HomeSnapshot(
        HomeConnection connection, Optional<NodeStatus> status, Optional<SampleError> error, Instant sampledAt) {

    /** The home-connection topic in the state store. */
    public static final Topic<HomeSnapshot> TOPIC = new Topic<>("home", HomeSnapshot.class);

    /** A failed LocalAPI request: what kind, on which path, and the message. */
    public record SampleError(LocalApiException.Kind kind, String path, String message) {}
}
