package io.derpwatch.agent.telemetry;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.opentelemetry.sdk.common.CompletableResultCode;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs sink exports off the event loop, one at a time, on a thread ({@code derpwatch-export}) that exists only
 * while there is something to export: the loop collects, this hands the batch to the sinks. Each export is
 * awaited up to {@code exportTimeout} so a hung sink delays the next batch instead of piling batches up.
 */
final class ExportHandOff implements AutoCloseable {
    private static final Duration IDLE_KEEP_ALIVE = Duration.ofSeconds(1);

    private final ThreadPoolExecutor executor;
    private final Duration exportTimeout;

    ExportHandOff(Duration exportTimeout) {
        this.exportTimeout = exportTimeout;
        // no core thread: the one worker starts for a batch and ends after a second without work
        this.executor = new ThreadPoolExecutor(
                0,
                1,
                IDLE_KEEP_ALIVE.toMillis(),
                TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(),
                new DefaultThreadFactory("derpwatch-export", true));
    }

    /**
     * Runs {@code export} on the export thread and waits there for its result; {@code done} runs afterwards
     * whether or not it succeeded. Never blocks the caller.
     */
    void submit(Supplier<CompletableResultCode> export, Runnable done) {
        executor.execute(() -> {
            try {
                export.get().join(exportTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } finally {
                done.run();
            }
        });
    }

    /** Waits up to {@code timeout} for the batches already handed off. */
    void drain(Duration timeout) {
        CompletableResultCode done = new CompletableResultCode();
        executor.execute(done::succeed);
        done.join(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        executor.shutdown();
    }
}
