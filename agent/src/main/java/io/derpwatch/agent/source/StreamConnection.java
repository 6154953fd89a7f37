package io.derpwatch.agent.source;

import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One open (or opening) connection of a {@link StreamingSource}, as the runner watches it.
 *
 * <p>{@link #opened()} completes when the peer accepted the stream (for HTTP: a 2xx head arrived); its failure
 * ends the connection. {@link #ended()} completes normally at end of stream (the peer ended it, or
 * {@link #close()} was called) and exceptionally on any failure (connect, a record over the cap, the connection
 * lost). {@link #describe} turns such a failure into a {@link SourceError} (an {@code error.type} and throttle
 * key), or null when it is not one the source knows, which the runner then counts as {@code internal}.
 */
public interface StreamConnection {

    CompletionStage<?> opened();

    CompletionStage<?> ended();

    /** Ends the connection; idempotent; no record the runner handles comes from it afterwards. */
    void close();

    /** The source's name for a failure of this connection; null when unknown. */
    default @Nullable SourceError describe(Throwable failure) {
        return null;
    }

    /** A connection from a transport's two futures and its close, with the source's failure classifier. */
    static StreamConnection of(
            CompletionStage<?> opened,
            CompletionStage<?> ended,
            Runnable close,
            Function<Throwable, @Nullable SourceError> describe) {
        return new StreamConnection() {
            @Override
            public CompletionStage<?> opened() {
                return opened;
            }

            @Override
            public CompletionStage<?> ended() {
                return ended;
            }

            @Override
            public void close() {
                close.run();
            }

            @Override
            public @Nullable SourceError describe(Throwable failure) {
                return describe.apply(failure);
            }
        };
    }
}
