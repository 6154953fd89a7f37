package io.derpwatch.agent.source;

import io.netty.util.concurrent.Ticker;
import java.time.Clock;
import java.time.Instant;

/**
 * The agent's two clocks, injected everywhere time matters (as Micrometer's {@code Clock}): a monotonic one
 * for intervals, timeouts and ages, and a wall clock for the timestamps on snapshots and events. Tests pass one
 * built on a Netty {@code MockTicker} so schedulers run on virtual time.
 */
public interface AgentClock {

    /** Monotonic nanoseconds; only differences mean anything. */
    long monotonicNanos();

    /** Wall-clock time. */
    Instant wallTime();

    /** {@link System#nanoTime()} and the UTC system clock. */
    static AgentClock system() {
        return SystemClock.INSTANCE;
    }

    /** Monotonic time from {@code ticker} (e.g. an {@code EmbeddedEventLoop}'s mock ticker), wall time from {@code wall}. */
    static AgentClock of(Ticker ticker, Clock wall) {
        return new AgentClock() {
            @Override
            public long monotonicNanos() {
                return ticker.nanoTime();
            }

            @Override
            public Instant wallTime() {
                return wall.instant();
            }
        };
    }

    /** The real clocks. */
    enum SystemClock implements AgentClock {
        INSTANCE;

        @Override
        public long monotonicNanos() {
            return System.nanoTime();
        }

        @Override
        public Instant wallTime() {
            return Instant.now();
        }
    }
}
