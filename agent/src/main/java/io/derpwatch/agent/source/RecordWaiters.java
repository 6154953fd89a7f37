package io.derpwatch.agent.source;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Who waits in {@link StreamingSourceRunner#sampleOnce()}: each is released by the next record, the end of the
 * attempt, stop, or its own bound, whichever comes first. Confined to the loop.
 */
final class RecordWaiters {
    private final EventLoop loop;
    private final long boundNanos;
    private final List<CompletableFuture<Void>> waiting = new ArrayList<>();

    RecordWaiters(EventLoop loop, Duration bound) {
        this.loop = loop;
        this.boundNanos = bound.toNanos();
    }

    void add(CompletableFuture<Void> done) {
        waiting.add(done);
        ScheduledFuture<?> bound = loop.schedule(
                () -> {
                    waiting.remove(done);
                    done.complete(null);
                },
                boundNanos,
                TimeUnit.NANOSECONDS);
        done.whenComplete((v, e) -> bound.cancel(false));
    }

    void releaseAll() {
        if (waiting.isEmpty()) {
            return;
        }
        List<CompletableFuture<Void>> done = new ArrayList<>(waiting);
        waiting.clear();
        done.forEach(w -> w.complete(null));
    }
}
