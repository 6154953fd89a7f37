package io.derpwatch.agent.health;

import java.util.List;

/**
 * The sink side of {@code /healthz}: what the sinks module knows about its workers. Kept this small so the
 * sinks module can answer it however its workers are built; {@link #NONE} until it does.
 */
@FunctionalInterface
public interface SinkHealthReader {
    /** Knows nothing: no sink is reported unhealthy. */
    SinkHealthReader NONE = List::of;

    List<SinkWorkerHealth> workers();
}
