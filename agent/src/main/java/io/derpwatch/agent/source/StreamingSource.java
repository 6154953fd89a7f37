package io.derpwatch.agent.source;

import java.util.function.Consumer;

/**
 * The two things a streaming source supplies: open one connection whose records arrive one by one (a response
 * that never ends, such as {@code /localapi/v0/watch-ipn-bus}, or a followed file), and handle one record.
 * Everything around them (connecting at start, a bound on connecting, reconnecting after end of stream or a
 * failure with exponential backoff and jitter, the {@code derpwatch.source.samples/errors/connects} counters,
 * the throttled {@code derpwatch.source.error} event, catching every {@link Throwable}, the component state) is
 * {@link StreamingSourceRunner}'s job.
 *
 * <p>Both methods are called on the agent's event loop and must not block it. A source keeps what it folds
 * from the records (the latest state of a stream of deltas) and publishes it itself, usually into a
 * {@code StateStore} topic, from {@link #handle}.
 *
 * <pre>{@code
 * final class BusSource implements StreamingSource<byte[]> {
 *     public String name() { return "ipn_bus"; }
 *
 *     public StreamConnection connect(StreamContext context, Consumer<byte[]> records) {
 *         LocalApiStream s = client.stream(path, maxRecordSize, records);
 *         return StreamConnection.of(s.opened(), s.ended(), s::close,
 *                 failure -> failure instanceof LocalApiException e ? e.sourceError(path) : null);
 *     }
 *
 *     public void handle(byte[] record, StreamContext context) throws SourceException {
 *         state.publish(TOPIC, fold(codec.decode(record)));   // a bad record: throw a SourceException
 *     }
 * }
 * }</pre>
 *
 * @param <R> one record as the transport delivers it (a line's bytes)
 */
public interface StreamingSource<R> {

    /** A short stable name ({@code ipn_bus}): {@code derpwatch.source.name}. */
    String name();

    /**
     * Opens one connection; returns at once. Each record goes to {@code records} (on any thread; the runner
     * moves it to the loop and drops records of a connection it has given up). A failure to even start
     * connecting may be thrown or returned as a failed {@link StreamConnection#ended()}.
     */
    StreamConnection connect(StreamContext context, Consumer<R> records);

    /**
     * Handles one record on the event loop. A record that is bad for a reason the source knows throws a
     * {@link SourceException} (counted, reported through the throttle); the stream goes on either way, and
     * so it does after any other {@link Throwable}, which the runner counts as a crash.
     */
    void handle(R record, StreamContext context) throws SourceException;

    /** Releases what the source holds; called once, on the loop, when the source stops. */
    default void close() {}
}
