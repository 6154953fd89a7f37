package io.derpwatch.agent.netcheck;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.state.Topic;
import java.util.Optional;

/**
 * The latest netcheck outcome, published on {@link #TOPIC}: the report and the map it was measured against;
 * no report when netcheck could not run (its values stop being exported).
 */
public record NetcheckSnapshot(Optional<NetcheckReport> report, DerpMap map) {

    public static final Topic<NetcheckSnapshot> TOPIC = new Topic<>("netcheck", NetcheckSnapshot.class);

    public static NetcheckSnapshot of(NetcheckReport report, DerpMap map) {
        return new NetcheckSnapshot(Optional.of(report), map);
    }

    public static NetcheckSnapshot none(DerpMap map) {
        return new NetcheckSnapshot(Optional.empty(), map);
    }
}
