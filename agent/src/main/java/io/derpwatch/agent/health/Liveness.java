package io.derpwatch.agent.health;

import io.derpwatch.agent.source.ComponentHealth;
import io.derpwatch.agent.source.Supervision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Decides {@code /healthz}: alive unless a supervised source has not completed a sample for too long (it is
 * {@code stalled}), the event loop lags more than {@code maxLoopLag}, or a sink worker is dead or its oldest
 * queued batch is older than {@code maxQueueAge}. Rules in docs/reliability.md.
 */
public final class Liveness {
    /** The event loop may lag this much before the agent is unhealthy. */
    public static final Duration MAX_LOOP_LAG = Duration.ofSeconds(10);
    /** A sink's oldest queued batch may wait this long before the agent is unhealthy. */
    public static final Duration MAX_QUEUE_AGE = Duration.ofMinutes(15);

    private final Supervision supervision;
    private final LoopLagProbe lag;
    private final SinkHealthReader sinks;
    private final Duration maxLoopLag;
    private final Duration maxQueueAge;

    public Liveness(
            Supervision supervision,
            LoopLagProbe lag,
            SinkHealthReader sinks,
            Duration maxLoopLag,
            Duration maxQueueAge) {
        this.supervision = supervision;
        this.lag = lag;
        this.sinks = sinks;
        this.maxLoopLag = maxLoopLag;
        this.maxQueueAge = maxQueueAge;
    }

    /** Null when alive, else every reason why not, one per line. Safe from any thread. */
    public @Nullable String problems() {
        List<String> problems = new ArrayList<>();
        for (ComponentHealth h : supervision.health()) {
            if (!h.healthy()) {
                problems.add(h.kind() + " " + h.name() + " " + h.state().wireName() + ": " + h.detail());
            }
        }
        Duration loopLag = lag.lag();
        if (loopLag.compareTo(maxLoopLag) > 0) {
            problems.add("event loop lags " + loopLag.toMillis() + " ms (bound " + maxLoopLag.toMillis() + " ms)");
        }
        for (SinkWorkerHealth w : sinks.workers()) {
            if (!w.alive()) {
                problems.add("sink " + w.sink() + ": delivery worker dead");
            } else if (w.oldestQueued().isPresent() && w.oldestQueued().get().compareTo(maxQueueAge) > 0) {
                problems.add("sink " + w.sink() + ": oldest queued batch waited "
                        + w.oldestQueued().get().toSeconds() + " s (bound " + maxQueueAge.toSeconds() + " s)");
            }
        }
        return problems.isEmpty() ? null : String.join("\n", problems);
    }
}
