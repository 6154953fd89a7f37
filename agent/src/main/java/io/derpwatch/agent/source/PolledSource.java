package io.derpwatch.agent.source;

import java.util.concurrent.CompletableFuture;

/**
 * The one thing a polled source supplies: take one sample. Everything around it (the schedule, jitter, the
 * timeout, skipping a tick while a sample is still running, the {@code derpwatch.source.samples/errors}
 * counters, the {@code derpwatch.source.error} event and its throttle, catching every {@link Throwable}) is
 * {@link PolledSourceRunner}'s job, the way the OpenTelemetry Collector splits a scraper from its controller.
 *
 * <p>{@link #sample} is called on the agent's event loop and must not block it. The returned future completes
 * with the observation, which the runner hands to the source's publisher (usually a {@code StateStore} topic).
 * A problem that still yields an observation (tailscaled down: the home connection is 0) is reported with
 * {@link SampleContext#error}; a sample that yields nothing completes exceptionally, with a
 * {@link SourceException} when the source knows what went wrong.
 *
 * @param <T> the observation, an immutable record
 */
public interface PolledSource<T> {

    /** A short stable name ({@code status}, {@code netcheck}): {@code derpwatch.source.name}. */
    String name();

    /** Takes one sample on the event loop; never blocks. */
    CompletableFuture<T> sample(SampleContext context);

    /** Releases what the source holds (sockets); called once, on the loop, when the source stops. */
    default void close() {}
}
