package io.derpwatch.agent.source;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link PolledSource} on the event loop and supervises it (the Collector's scraper controller): a tick
 * every {@code interval} (plus jitter); a tick while a sample is still running is skipped; a sample running
 * past {@code timeout} is abandoned and the next tick samples again; every outcome, including any
 * {@link Throwable} thrown by the source or completing its future ({@link OutOfMemoryError} too), is counted,
 * reported through the throttle and never stops the schedule. The observation goes to the publisher.
 *
 * <p>All mutable state is confined to the loop; {@link #health()} reads volatile fields from any thread.
 */
public final class PolledSourceRunner<T> implements Source {
    private static final Logger LOG = LoggerFactory.getLogger(PolledSourceRunner.class);
    static final String KIND = "source";

    private final PolledSource<T> source;
    private final PollSchedule schedule;
    private final Consumer<? super T> publisher;
    private final SourceEnvironment env;
    private final EventLoop loop;
    private final SourceErrorReporter errors;

    // confined to loop
    private @Nullable Attempt inFlight;
    private @Nullable ScheduledFuture<?> nextTick;
    private boolean started;
    private boolean closed;

    private volatile boolean stopped;
    private volatile long createdAt;
    private volatile long lastCompletedAt;
    private volatile boolean everCompleted;

    PolledSourceRunner(
            PolledSource<T> source, PollSchedule schedule, Consumer<? super T> publisher, SourceEnvironment env) {
        this.source = source;
        this.schedule = schedule;
        this.publisher = publisher;
        this.env = env;
        this.loop = env.loop();
        this.errors = new SourceErrorReporter(source.name(), env.telemetry(), env.errorRepeatInterval(), env.clock());
        this.createdAt = env.clock().monotonicNanos();
    }

    @Override
    public String name() {
        return source.name();
    }

    public PollSchedule schedule() {
        return schedule;
    }

    @Override
    public void start() {
        onLoop(() -> {
            if (stopped || started) {
                return;
            }
            started = true;
            createdAt = env.clock().monotonicNanos();
            LOG.info("source {} sampling every {}", name(), schedule.interval());
            tick();
        });
    }

    @Override
    public CompletableFuture<Void> sampleOnce() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        onLoop(() -> {
            Attempt attempt = inFlight != null ? inFlight : begin();
            attempt.finished.whenComplete((v, e) -> done.complete(null));
        });
        // a loop that is already shut down runs nothing: say so rather than wait forever
        if (loop.isShuttingDown() && !done.isDone()) {
            done.complete(null);
        }
        return done;
    }

    @Override
    public void stop() {
        stopped = true;
        onLoop(() -> {
            if (nextTick != null) {
                nextTick.cancel(false);
                nextTick = null;
            }
            if (!closed) {
                closed = true;
                source.close();
            }
        });
    }

    @Override
    public ComponentHealth health() {
        if (stopped) {
            return new ComponentHealth(KIND, name(), ComponentState.STOPPED, "stopped");
        }
        long now = env.clock().monotonicNanos();
        long bound = schedule.interval().toNanos() * env.stallIntervals()
                + schedule.jitter().toNanos()
                + schedule.timeout().toNanos();
        long since = now - (everCompleted ? lastCompletedAt : createdAt);
        if (since > bound) {
            return new ComponentHealth(
                    KIND,
                    name(),
                    ComponentState.STALLED,
                    "no completed sample for " + Duration.ofNanos(since).toSeconds() + "s (bound "
                            + Duration.ofNanos(bound).toSeconds() + "s)");
        }
        return everCompleted
                ? new ComponentHealth(KIND, name(), ComponentState.RUNNING, "ok")
                : new ComponentHealth(KIND, name(), ComponentState.STARTING, "first sample not done yet");
    }

    private void tick() {
        if (stopped) {
            return;
        }
        long wait = schedule.interval().toNanos()
                + env.jitter().applyAsLong(schedule.jitter().toNanos());
        nextTick = loop.schedule(this::tick, wait, TimeUnit.NANOSECONDS);
        if (inFlight != null) {
            LOG.debug("source {}: sample still running; skipping this tick", name());
            return;
        }
        begin();
    }

    /** Starts a sample; on the loop. */
    private Attempt begin() {
        Attempt attempt = new Attempt();
        inFlight = attempt;
        errors.sampled();
        CompletableFuture<T> sample;
        try {
            sample = source.sample(attempt);
            if (sample == null) {
                sample = CompletableFuture.failedFuture(new IllegalStateException("sample() returned null"));
            }
        } catch (Throwable t) {
            sample = CompletableFuture.failedFuture(t);
        }
        attempt.timeout =
                loop.schedule(() -> abandon(attempt), schedule.timeout().toNanos(), TimeUnit.NANOSECONDS);
        sample.whenComplete((value, failure) -> onLoop(() -> finish(attempt, value, failure)));
        return attempt;
    }

    private void abandon(Attempt attempt) {
        if (attempt.over) {
            return;
        }
        String message = "sample took longer than " + schedule.timeout() + "; abandoned";
        end(attempt);
        try {
            errors.report(SourceError.of("sample_timeout", message), null);
            env.supervision().restarted(KIND, name());
        } finally {
            attempt.finished.complete(null);
        }
    }

    private void finish(Attempt attempt, @Nullable T value, @Nullable Throwable failure) {
        if (attempt.over) {
            return; // abandoned on timeout: a late answer is not published
        }
        end(attempt);
        try {
            settle(attempt, value, failure);
        } finally {
            // after the observation is published: who waits on the sample sees its snapshot
            attempt.finished.complete(null);
        }
    }

    private void settle(Attempt attempt, @Nullable T value, @Nullable Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause == null) {
            try {
                publisher.accept(value);
            } catch (Throwable t) {
                crashed(t);
                return;
            }
            completed(attempt);
        } else if (cause instanceof SourceException e) {
            attempt.erred = true;
            errors.report(e.error(), null);
            completed(attempt);
        } else {
            crashed(cause);
        }
    }

    private void completed(Attempt attempt) {
        lastCompletedAt = env.clock().monotonicNanos();
        everCompleted = true;
        if (!attempt.erred) {
            errors.succeeded();
        }
    }

    private void crashed(Throwable t) {
        env.supervision().restarted(KIND, name());
        try {
            String type = t instanceof VirtualMachineError ? "vm_error" : "internal";
            errors.report(
                    new SourceError(
                            type,
                            type + " " + t.getClass().getName(),
                            "sample failed: " + t,
                            io.opentelemetry.api.common.Attributes.empty()),
                    t);
        } catch (Throwable reportFailed) {
            // even reporting can fail right after an OutOfMemoryError; the next tick tries again
        }
    }

    private void end(Attempt attempt) {
        attempt.over = true;
        if (attempt.timeout != null) {
            attempt.timeout.cancel(false);
        }
        if (inFlight == attempt) {
            inFlight = null;
        }
    }

    private static @Nullable Throwable unwrap(@Nullable Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    private void onLoop(Runnable task) {
        Runnable guarded = () -> {
            try {
                task.run();
            } catch (Throwable t) {
                crashed(t);
            }
        };
        if (loop.inEventLoop()) {
            guarded.run();
            return;
        }
        try {
            loop.execute(guarded);
        } catch (RuntimeException e) {
            LOG.debug("source {}: event loop gone", name(), e);
        }
    }

    /** One sample in flight: its context for the source, and its bookkeeping. */
    private final class Attempt implements SampleContext {
        final CompletableFuture<Void> finished = new CompletableFuture<>();

        @Nullable
        ScheduledFuture<?> timeout;

        boolean over;
        boolean erred;

        @Override
        public void error(SourceError error) {
            onLoop(() -> {
                erred = true;
                errors.report(error, null);
            });
        }

        @Override
        public AgentClock clock() {
            return env.clock();
        }
    }
}
