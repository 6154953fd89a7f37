package io.derpwatch.agent.health;

import io.derpwatch.agent.source.AgentClock;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Measures the event loop's lag with a scheduled probe: a task asked to run every {@code period} notes how late
 * it ran. {@link #lag()} is the larger of the last lateness and how overdue the next probe is now, so a loop
 * that is stuck right now shows its lag even though the probe cannot run.
 *
 * <p>A lag of {@code L} is seen as at least {@code L - period} (it may start just after a probe ran), and the
 * lateness of a run is kept for one period. {@link #forBound} picks the period from the bound the lag is held to:
 * every wake-up of the loop costs ~0.5 ms of CPU interpreted (docs/benchmarks.md), so a
 * probe every second was a fifth of an idle agent's CPU, where a quarter of the bound suffices.
 */
public final class LoopLagProbe {
    /** The shortest period {@link #forBound} picks. */
    static final Duration MIN_PERIOD = Duration.ofSeconds(1);

    private final EventLoop loop;
    private final AgentClock clock;
    private final long periodNanos;
    private volatile long dueAt;
    private volatile long lastLagNanos;
    private volatile boolean stopped;

    public LoopLagProbe(EventLoop loop, AgentClock clock, Duration period) {
        this.loop = loop;
        this.clock = clock;
        this.periodNanos = period.toNanos();
    }

    /**
     * A probe for holding the lag to {@code maxLag}: every quarter of it, at least every {@link #MIN_PERIOD}, so a
     * lag of {@code 1.25 * maxLag} is always over the bound.
     */
    public static LoopLagProbe forBound(EventLoop loop, AgentClock clock, Duration maxLag) {
        return new LoopLagProbe(loop, clock, period(maxLag));
    }

    static Duration period(Duration maxLag) {
        Duration quarter = maxLag.dividedBy(4);
        return quarter.compareTo(MIN_PERIOD) < 0 ? MIN_PERIOD : quarter;
    }

    public void start() {
        dueAt = clock.monotonicNanos() + periodNanos;
        loop.schedule(this::probe, periodNanos, TimeUnit.NANOSECONDS);
    }

    public void stop() {
        stopped = true;
    }

    private void probe() {
        long now = clock.monotonicNanos();
        lastLagNanos = Math.max(0, now - dueAt);
        if (stopped) {
            return;
        }
        dueAt = now + periodNanos;
        loop.schedule(this::probe, periodNanos, TimeUnit.NANOSECONDS);
    }

    /** The loop's lag now; zero when it keeps time. */
    public Duration lag() {
        if (dueAt == 0) {
            return Duration.ZERO;
        }
        long overdue = clock.monotonicNanos() - dueAt;
        return Duration.ofNanos(Math.max(lastLagNanos, Math.max(0, overdue)));
    }
}
