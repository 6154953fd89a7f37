package io.derpwatch.agent.derp;

import io.derpwatch.agent.state.Topic;
import java.time.Instant;

/**
 * The DERP map tailscaled uses ({@code /localapi/v0/derpmap}), as last read: one map for the home rule and
 * netcheck. {@link DerpMap#EMPTY} when the node has none yet. Published on {@link #TOPIC}.
 *
 * @param readAtNanos when it was read, on the agent's monotonic clock
 */
public record NodeDerpMap(DerpMap map, Instant readAt, long readAtNanos) {

    public static final Topic<NodeDerpMap> TOPIC = new Topic<>("derp_map", NodeDerpMap.class);
}
