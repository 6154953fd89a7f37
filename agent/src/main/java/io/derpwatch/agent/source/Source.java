package io.derpwatch.agent.source;

import java.util.concurrent.CompletableFuture;

/**
 * A running, supervised source as the agent sees it, such as a {@link PolledSource} under a {@link PolledSourceRunner}.
 * Every source runs on the agent's Netty
 * event loop and never blocks it: {@link #start()} schedules work with {@code EventLoop.schedule*} and returns.
 */
public interface Source {

    /** A short stable name ({@code status}, {@code netcheck}), used in logs and {@code derpwatch.source.name}. */
    String name();

    /** Begins sampling on the event loop; returns immediately. */
    void start();

    /**
     * Takes one sample now (for {@code run --once} and readiness); completes, never exceptionally, when its
     * observation is published or the sample failed or was abandoned.
     */
    CompletableFuture<Void> sampleOnce();

    /** Stops scheduling; idempotent. */
    void stop();

    /** Health now, for {@code /healthz} and {@code derpwatch.component.state}. */
    ComponentHealth health();
}
