package io.derpwatch.agent.insight;

import io.derpwatch.agent.state.Topic;
import java.util.List;
import java.util.Set;

/**
 * The insights after one evaluation: the ids active now (of all {@code ids}) and the transitions this
 * evaluation made (the status page reads the first, the event emitter the second).
 */
public record InsightSnapshot(List<String> ids, Set<String> active, List<InsightTransition> transitions) {
    public static final Topic<InsightSnapshot> TOPIC = new Topic<>("insights", InsightSnapshot.class);

    public InsightSnapshot {
        ids = List.copyOf(ids);
        active = Set.copyOf(active);
        transitions = List.copyOf(transitions);
    }
}
