package io.derpwatch.agent.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.agent.source.AgentClock;
import io.derpwatch.agent.source.ComponentHealth;
import io.derpwatch.agent.source.ComponentState;
import io.derpwatch.agent.source.Supervision;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What {@code /healthz} decides, on virtual time: stalled components, a lagging loop, dead or late sinks. */
class LivenessTest {
    private final MockTicker ticker = Ticker.newMockTicker();
    private final EmbeddedChannel channel =
            EmbeddedChannel.builder().ticker(ticker).build();
    private final Supervision supervision = new Supervision(OpenTelemetry.noop().getMeter("test"));
    private final LoopLagProbe probe =
            new LoopLagProbe(channel.eventLoop(), AgentClock.of(ticker, Clock.systemUTC()), Duration.ofSeconds(1));
    private final List<SinkWorkerHealth> sinks = new ArrayList<>();
    private final Liveness liveness =
            new Liveness(supervision, probe, () -> sinks, Duration.ofSeconds(10), Duration.ofMinutes(15));

    @AfterEach
    void close() {
        probe.stop();
        channel.finishAndReleaseAll();
    }

    @Test
    void loopThatKeepsTime_withHealthyComponents_isAlive() {
        probe.start();
        supervision.register(() -> new ComponentHealth("source", "status", ComponentState.RUNNING, "ok"));
        for (int i = 0; i < 30; i++) {
            advance(Duration.ofSeconds(1));
        }
        assertThat(liveness.problems()).isNull();
    }

    @Test
    void stalledSource_isNamed() {
        supervision.register(
                () -> new ComponentHealth("source", "status", ComponentState.STALLED, "no sample for 45s"));
        assertThat(liveness.problems()).isEqualTo("source status stalled: no sample for 45s");
    }

    @Test
    void loopStuckNow_showsItsLag_thoughTheProbeCannotRun() {
        probe.start();
        advance(Duration.ofSeconds(1));
        ticker.advance(12, TimeUnit.SECONDS); // the loop runs nothing meanwhile: stuck

        assertThat(probe.lag()).isGreaterThanOrEqualTo(Duration.ofSeconds(11));
        assertThat(liveness.problems()).startsWith("event loop lags");

        channel.runScheduledPendingTasks(); // it runs again, late once, then keeps time
        for (int i = 0; i < 3; i++) {
            advance(Duration.ofSeconds(1));
        }
        assertThat(liveness.problems()).isNull();
    }

    @Test
    void deadSinkWorker_andAnOldQueue_areUnhealthy() {
        sinks.add(new SinkWorkerHealth("backend", false, Optional.empty()));
        sinks.add(new SinkWorkerHealth("bus", true, Optional.of(Duration.ofMinutes(16))));
        sinks.add(new SinkWorkerHealth("stdout", true, Optional.of(Duration.ofSeconds(3))));

        assertThat(liveness.problems())
                .contains("sink backend: delivery worker dead")
                .contains("sink bus: oldest queued batch waited 960 s")
                .doesNotContain("stdout");
    }

    private void advance(Duration d) {
        ticker.advance(d.toNanos(), TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
    }
}
