package io.derpwatch.agent.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.agent.source.AgentClock;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The lag probe sized for {@code max-loop-lag}, on virtual time. */
class LoopLagProbeTest {
    private final MockTicker ticker = Ticker.newMockTicker();
    private final EmbeddedChannel channel =
            EmbeddedChannel.builder().ticker(ticker).build();
    private final AgentClock clock = AgentClock.of(ticker, Clock.systemUTC());

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void period_isAQuarterOfTheBound_butNeverUnderASecond() {
        assertThat(LoopLagProbe.period(Duration.ofSeconds(10))).isEqualTo(Duration.ofMillis(2500));
        assertThat(LoopLagProbe.period(Duration.ofMinutes(1))).isEqualTo(Duration.ofSeconds(15));
        assertThat(LoopLagProbe.period(Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(1));
        assertThat(LoopLagProbe.period(Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void probeForTheDefaultBound_wakesTheLoopEveryTwoAndAHalfSeconds() {
        LoopLagProbe probe = LoopLagProbe.forBound(channel.eventLoop(), clock, Duration.ofSeconds(10));
        probe.start();
        // runScheduledPendingTasks returns how long until the next scheduled task: the next probe
        assertThat(channel.runScheduledPendingTasks()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(2500));
        ticker.advance(2500, TimeUnit.MILLISECONDS);
        assertThat(channel.runScheduledPendingTasks()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(2500));
        assertThat(probe.lag()).isEqualTo(Duration.ZERO);
        probe.stop();
    }

    @Test
    void lagJustOverTheBoundAndAQuarter_isOverTheBound_wheneverItStarts() {
        Duration bound = Duration.ofSeconds(10);
        for (long offsetMs = 0; offsetMs < 2500; offsetMs += 250) {
            MockTicker t = Ticker.newMockTicker();
            EmbeddedChannel ch = EmbeddedChannel.builder().ticker(t).build();
            LoopLagProbe probe = LoopLagProbe.forBound(ch.eventLoop(), AgentClock.of(t, Clock.systemUTC()), bound);
            probe.start();
            t.advance(offsetMs, TimeUnit.MILLISECONDS); // the stall starts anywhere within a period
            ch.runScheduledPendingTasks();
            t.advance(12_600, TimeUnit.MILLISECONDS); // stuck: runs nothing for 1.26 x the bound
            ch.runScheduledPendingTasks(); // the overdue probe runs, late

            assertThat(probe.lag()).as("stall starting %d ms in", offsetMs).isGreaterThan(bound);
            probe.stop();
            ch.finishAndReleaseAll();
        }
    }
}
