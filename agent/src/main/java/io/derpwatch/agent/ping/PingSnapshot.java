package io.derpwatch.agent.ping;

import io.derpwatch.agent.state.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * One round of pings: the answer per configured target that answered, and why each of the others did not.
 *
 * @param failures by target: the targets that did not answer this round
 */
public record PingSnapshot(Map<String, Pong> pongs, Map<String, Failure> failures, Instant sampledAt) {
    public static final Topic<PingSnapshot> TOPIC = new Topic<>("ping", PingSnapshot.class);

    public PingSnapshot {
        pongs = Map.copyOf(pongs);
        failures = Map.copyOf(failures);
    }

    public PingSnapshot(Map<String, Pong> pongs, Instant sampledAt) {
        this(pongs, Map.of(), sampledAt);
    }

    /**
     * A target that did not answer.
     *
     * @param type    {@code unknown_peer} (not in the tailnet), {@code ping_failed} (tailscaled's own error),
     *                {@code timeout} (no answer within {@code peers.ping.timeout}), or another LocalAPI failure kind
     * @param message what went wrong, naming the target
     */
    public record Failure(String target, String type, String message) {}

    /** A reply from {@code target}: the round trip and the path it took. */
    public record Pong(String target, Duration latency, PingPath path) {}
}
