package io.derpwatch.agent.ping;

import io.derpwatch.agent.state.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** One round of pings: the answer per configured target that answered (targets that did not are left out). */
public record PingSnapshot(Map<String, Pong> pongs, Instant sampledAt) {
    public static final Topic<PingSnapshot> TOPIC = new Topic<>("ping", PingSnapshot.class);

    public PingSnapshot {
        pongs = Map.copyOf(pongs);
    }

    /** A reply from {@code target}: the round trip and the path it took. */
    public record Pong(String target, Duration latency, PingPath path) {}
}
