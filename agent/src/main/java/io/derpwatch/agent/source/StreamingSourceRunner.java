package io.derpwatch.agent.source;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link StreamingSource} on the event loop and supervises it: connects at start, hands each record to
 * the source, and after end of stream, a failure or a connect that overran its timeout, connects again after an
 * exponential backoff with jitter (between half and all of {@link ReconnectSchedule#baseWaitNanos}). Every
 * outcome, including any {@link Throwable} from the source ({@link OutOfMemoryError} too), is counted, reported
 * through the throttle and never stops the stream or the reconnects.
 *
 * <p>Counters: {@code derpwatch.source.samples} counts <em>records</em> handled (failed or not),
 * {@code derpwatch.source.connects} connection attempts, {@code derpwatch.source.errors} every error (a
 * connection's failure, {@code connect_timeout}, a bad record, {@code internal}). The throttle's run of errors
 * ends when a connection opens. The component state is {@code connecting}, {@code connected} or
 * {@code backing_off}; {@code stalled} only when the runner overran its own deadline.
 *
 * <p>All mutable state is confined to the loop; {@link #health()} reads volatile fields from any thread.
 */
public final class StreamingSourceRunner<R> implements Source {
    private static final Logger LOG = LoggerFactory.getLogger(StreamingSourceRunner.class);
    private static final long NO_DEADLINE = StreamStatus.NO_DEADLINE;

    private final StreamingSource<R> source;
    private final ReconnectSchedule schedule;
    private final SourceEnvironment env;
    private final EventLoop loop;
    private final GuardedLoop guarded;
    private final SourceErrorReporter errors;

    // confined to loop
    private @Nullable StreamAttempt current;
    private @Nullable ScheduledFuture<?> reconnect;
    private final RecordWaiters waiters;
    private int failures;
    private boolean started;
    private boolean closed;

    private final StreamStatus status;
    private volatile boolean stopped;

    StreamingSourceRunner(StreamingSource<R> source, ReconnectSchedule schedule, SourceEnvironment env) {
        this.source = source;
        this.schedule = schedule;
        this.env = env;
        this.loop = env.loop();
        this.guarded = new GuardedLoop(loop, source.name(), t -> crashed("stream runner failed", t));
        this.errors = new SourceErrorReporter(source.name(), env.telemetry(), env.errorRepeatInterval(), env.clock());
        this.status = new StreamStatus(source.name(), env.clock(), schedule.connectTimeout());
        this.waiters = new RecordWaiters(loop, schedule.connectTimeout());
    }

    @Override
    public String name() {
        return source.name();
    }

    public ReconnectSchedule schedule() {
        return schedule;
    }

    /** Connects (unless a connection is already open or opening) and reconnects whenever it ends. */
    @Override
    public void start() {
        guarded.run(() -> {
            if (stopped || started) {
                return;
            }
            started = true;
            LOG.info(
                    "source {} streaming (reconnect backoff {} to {})",
                    name(),
                    schedule.backoff(),
                    schedule.maxBackoff());
            if (current == null && reconnect == null) {
                connect();
            }
        });
    }

    /**
     * Completes, never exceptionally, when the next record is handled, the connection attempt ends, or after the
     * connect timeout; at once when the open connection has already delivered a record. Connects if idle.
     */
    @Override
    public CompletableFuture<Void> sampleOnce() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        guarded.run(() -> {
            if (stopped) {
                done.complete(null);
                return;
            }
            StreamAttempt a = current;
            if (a != null && a.records > 0) {
                done.complete(null);
                return;
            }
            waiters.add(done);
            if (current == null && reconnect == null) {
                connect();
            }
        });
        if (loop.isShuttingDown() && !done.isDone()) {
            done.complete(null);
        }
        return done;
    }

    @Override
    public void stop() {
        stopped = true;
        status.stopped();
        guarded.run(() -> {
            cancelReconnect();
            StreamAttempt a = current;
            current = null;
            if (a != null) {
                a.end();
                closeQuietly(a.connection);
            }
            waiters.releaseAll();
            if (!closed) {
                closed = true;
                source.close();
            }
        });
    }

    @Override
    public ComponentHealth health() {
        return status.health();
    }

    /** Opens a connection; on the loop. */
    private void connect() {
        reconnect = null;
        StreamAttempt attempt = new StreamAttempt(env.clock(), error -> guarded.run(() -> errors.report(error, null)));
        current = attempt;
        status.enter(ComponentState.CONNECTING, schedule.connectTimeout().toNanos());
        errors.connecting();
        StreamConnection connection;
        try {
            connection = source.connect(attempt, record -> guarded.run(() -> record(attempt, record)));
            if (connection == null) {
                throw new IllegalStateException("connect() returned null");
            }
        } catch (Throwable t) {
            ended(attempt, t);
            return;
        }
        attempt.connection = connection;
        if (attempt.over) { // a record handler or a synchronous failure ended it already
            closeQuietly(connection);
            return;
        }
        attempt.timeout = loop.schedule(
                () -> connectTimedOut(attempt), schedule.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
        connection
                .opened()
                .whenComplete((v, failure) -> guarded.run(() -> {
                    if (failure != null) {
                        ended(attempt, failure);
                    } else {
                        opened(attempt);
                    }
                }));
        connection.ended().whenComplete((v, failure) -> guarded.run(() -> ended(attempt, failure)));
    }

    private void opened(StreamAttempt attempt) {
        if (attempt != current || attempt.opened) {
            return;
        }
        attempt.opened = true;
        attempt.openedAt = env.clock().monotonicNanos();
        if (attempt.timeout != null) {
            attempt.timeout.cancel(false);
        }
        status.enter(ComponentState.CONNECTED, NO_DEADLINE);
        errors.succeeded();
        LOG.info("source {} connected", name());
    }

    private void record(StreamAttempt attempt, R record) {
        if (attempt != current || stopped) {
            return; // a late record of a connection given up
        }
        opened(attempt); // a record proves the stream open, whatever the transport said so far
        attempt.records++;
        status.recordHandled();
        errors.sampled();
        try {
            source.handle(record, attempt);
        } catch (SourceException e) {
            errors.report(e.error(), null);
        } catch (Throwable t) {
            crashed("record failed", t);
        }
        waiters.releaseAll();
    }

    private void connectTimedOut(StreamAttempt attempt) {
        if (attempt != current || attempt.opened) {
            return;
        }
        current = null;
        attempt.end();
        closeQuietly(attempt.connection);
        errors.report(
                SourceError.of("connect_timeout", "stream not open after " + schedule.connectTimeout() + "; closed"),
                null);
        env.supervision().restarted(PolledSourceRunner.KIND, name());
        backOff(attempt);
    }

    private void ended(StreamAttempt attempt, @Nullable Throwable failure) {
        if (attempt != current) {
            return;
        }
        current = null;
        attempt.end();
        closeQuietly(attempt.connection); // releases it whichever future said it is over
        Throwable cause = SourceErrorReporter.unwrap(failure);
        if (cause == null) {
            LOG.info("source {}: stream ended after {} records", name(), attempt.records);
        } else {
            SourceError known = attempt.describe(cause);
            if (known != null) {
                errors.report(known, null);
            } else {
                crashed("stream failed", cause);
            }
        }
        backOff(attempt);
    }

    private void backOff(StreamAttempt attempt) {
        waiters.releaseAll();
        if (stopped || !started) {
            status.enter(ComponentState.STARTING, NO_DEADLINE);
            return;
        }
        boolean stable = attempt.opened
                && env.clock().monotonicNanos() - attempt.openedAt
                        >= schedule.maxBackoff().toNanos();
        failures = stable ? 1 : failures + 1;
        long wait = schedule.waitNanos(failures, env.jitter());
        status.enter(ComponentState.BACKING_OFF, wait);
        LOG.debug("source {}: reconnecting in {} ms", name(), TimeUnit.NANOSECONDS.toMillis(wait));
        reconnect = loop.schedule(this::connect, wait, TimeUnit.NANOSECONDS);
    }

    private void crashed(String what, Throwable t) {
        env.supervision().restarted(PolledSourceRunner.KIND, name());
        errors.crashed(what, t);
    }

    private void cancelReconnect() {
        if (reconnect != null) {
            reconnect.cancel(false);
            reconnect = null;
        }
    }

    private void closeQuietly(@Nullable StreamConnection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (Throwable t) {
            crashed("closing the stream failed", t);
        }
    }
}
