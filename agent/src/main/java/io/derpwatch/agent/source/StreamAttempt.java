package io.derpwatch.agent.source;

import io.netty.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One connection attempt of a {@link StreamingSourceRunner}: the {@link StreamContext} its source sees, and the
 * runner's bookkeeping of it (opened when, records so far, over). Fields are confined to the event loop.
 */
final class StreamAttempt implements StreamContext {
    private final AgentClock clock;
    private final Consumer<SourceError> errors;

    @Nullable
    StreamConnection connection;

    @Nullable
    ScheduledFuture<?> timeout;

    boolean opened;
    boolean over;
    long openedAt;
    long records;

    /** @param errors reports an error the source names while still delivering (any thread) */
    StreamAttempt(AgentClock clock, Consumer<SourceError> errors) {
        this.clock = clock;
        this.errors = errors;
    }

    /** The attempt is given up or finished: its connect timeout no longer applies. */
    void end() {
        over = true;
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    /** Names {@code cause} as a {@link SourceError} (the source's own, else the connection's); null: internal. */
    @Nullable
    SourceError describe(Throwable cause) {
        if (cause instanceof SourceException e) {
            return e.error();
        }
        StreamConnection c = connection;
        try {
            return c == null ? null : c.describe(cause);
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public void error(SourceError error) {
        errors.accept(error);
    }

    @Override
    public AgentClock clock() {
        return clock;
    }
}
