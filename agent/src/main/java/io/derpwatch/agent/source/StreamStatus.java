package io.derpwatch.agent.source;

import java.time.Duration;

/**
 * What a {@link StreamingSourceRunner} is doing and by when it must be done with it, written on the loop and
 * read by {@link #health} from any thread. A state with a deadline (connecting: the connect timeout; backing off:
 * the reconnect) overrun by more than the grace is {@code stalled}: the runner's own timer did not fire.
 */
final class StreamStatus {
    static final long NO_DEADLINE = Long.MAX_VALUE;

    private final String name;
    private final AgentClock clock;
    private final long graceNanos;

    private volatile ComponentState state = ComponentState.STARTING;
    private volatile long since;
    private volatile long deadline = NO_DEADLINE;
    private volatile long records;
    private volatile boolean stopped;

    StreamStatus(String name, AgentClock clock, Duration grace) {
        this.name = name;
        this.clock = clock;
        this.graceNanos = grace.toNanos();
        this.since = clock.monotonicNanos();
    }

    /** Now in {@code next}, to leave it within {@code deadlineNanos} ({@link #NO_DEADLINE}: no bound). */
    void enter(ComponentState next, long deadlineNanos) {
        long now = clock.monotonicNanos();
        state = next;
        since = now;
        deadline = deadlineNanos == NO_DEADLINE ? NO_DEADLINE : now + deadlineNanos;
    }

    void recordHandled() {
        records++; // written on the loop only
    }

    void stopped() {
        stopped = true;
    }

    ComponentHealth health() {
        if (stopped) {
            return new ComponentHealth(PolledSourceRunner.KIND, name, ComponentState.STOPPED, "stopped");
        }
        long now = clock.monotonicNanos();
        ComponentState s = state;
        long due = deadline;
        if (due != NO_DEADLINE && now - due > graceNanos) {
            return new ComponentHealth(
                    PolledSourceRunner.KIND,
                    name,
                    ComponentState.STALLED,
                    s.wireName() + " for " + seconds(now - since) + "s, " + seconds(now - due)
                            + "s past its deadline (grace " + seconds(graceNanos) + "s)");
        }
        String detail = switch (s) {
            case CONNECTED -> "connected for " + seconds(now - since) + "s, " + records + " records in all";
            case BACKING_OFF ->
                "reconnecting in " + Duration.ofNanos(Math.max(0, due - now)).toMillis() + " ms";
            case CONNECTING -> "connecting";
            default -> "not started";
        };
        return new ComponentHealth(PolledSourceRunner.KIND, name, s, detail);
    }

    private static long seconds(long nanos) {
        return Duration.ofNanos(nanos).toSeconds();
    }
}
