package io.derpwatch.agent.source;

import java.util.concurrent.CompletableFuture;

/**
 * Something that observes the node and writes immutable snapshots into state. Every source runs on the
 * agent's one Netty event loop and never blocks it: {@link #start()} schedules the source's own work with
 * {@code EventLoop.schedule*} and returns at once.
 */
public interface Source {

    /** A short stable name ({@code status}, {@code netcheck}), used in logs and {@code derpwatch.source.error}. */
    String name();

    /** Begins sampling on the event loop; returns immediately. */
    void start();

    /** Takes one sample now (for {@code run --once}); completes when its snapshot is in state. */
    CompletableFuture<Void> sampleOnce();

    /** Stops scheduling and closes channels; idempotent. */
    void stop();
}
