package io.derpwatch.agent.health;

import io.derpwatch.agent.source.AgentClock;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Measures the event loop's lag with a scheduled probe: a task asked to run every {@code period} notes how late
 * it ran. {@link #lag()} is the larger of the last lateness and how overdue the next probe is now, so a loop
 * that is stuck right now shows its lag even though the probe cannot run.
 */
public final class LoopLagProbe {
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
