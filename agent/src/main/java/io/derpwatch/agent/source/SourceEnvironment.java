package io.derpwatch.agent.source;

import io.derpwatch.agent.telemetry.Telemetry;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongUnaryOperator;

/**
 * What every source runs with: the agent's event loop, its telemetry, the clock and the supervision. Builds
 * the runners, so registering a polled source is one line: {@code env.poll(source, schedule, publisher)}.
 *
 * @param errorRepeatInterval a repeat of the same source error is reported at most this often
 * @param stallIntervals      a source that has not completed a sample for this many intervals is unhealthy
 * @param jitter              given a bound in nanoseconds, a wait in [0, bound] to add to a schedule's interval
 */
public record SourceEnvironment(
        EventLoop loop,
        Telemetry telemetry,
        AgentClock clock,
        Supervision supervision,
        Duration errorRepeatInterval,
        int stallIntervals,
        LongUnaryOperator jitter) {

    /** A repeat of the same error is reported at most every 5 minutes. */
    public static final Duration ERROR_REPEAT_INTERVAL = Duration.ofMinutes(5);
    /** Unhealthy after 3 intervals without a completed sample. */
    public static final int STALL_INTERVALS = 3;

    /** The agent's defaults: real clocks, random jitter. */
    public static SourceEnvironment create(EventLoop loop, Telemetry telemetry) {
        return new SourceEnvironment(
                loop,
                telemetry,
                AgentClock.system(),
                new Supervision(telemetry.meter()),
                ERROR_REPEAT_INTERVAL,
                STALL_INTERVALS,
                bound -> bound <= 0
                        ? 0
                        : java.util.concurrent.ThreadLocalRandom.current().nextLong(bound + 1));
    }

    /** {@code source} sampled on {@code schedule}, each observation handed to {@code publisher}; supervised. */
    public <T> PolledSourceRunner<T> poll(
            PolledSource<T> source, PollSchedule schedule, Consumer<? super T> publisher) {
        PolledSourceRunner<T> runner = new PolledSourceRunner<>(source, schedule, publisher, this);
        supervision.register(runner::health);
        return runner;
    }
}
