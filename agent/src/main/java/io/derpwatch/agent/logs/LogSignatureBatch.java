package io.derpwatch.agent.logs;

import io.derpwatch.agent.state.Topic;
import java.time.Instant;
import java.util.List;

/** The log lines of one poll that matched a signature, in file order (most polls: none). */
public record LogSignatureBatch(List<LogMatch> matches, Instant sampledAt) {
    public static final Topic<LogSignatureBatch> TOPIC = new Topic<>("log_signatures", LogSignatureBatch.class);

    public LogSignatureBatch {
        matches = List.copyOf(matches);
    }
}
