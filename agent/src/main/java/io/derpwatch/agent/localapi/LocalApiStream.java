package io.derpwatch.agent.localapi;

import io.netty.channel.Channel;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One streaming LocalAPI request, opened by {@link LocalApiClient#stream}. {@link #opened()} completes with
 * the daemon's {@code Tailscale-Version} header (empty when absent) once a 2xx head arrived; {@link #ended()}
 * completes normally when the daemon ended the response cleanly or {@link #close()} was called, and
 * exceptionally with a {@link LocalApiException} on every failure (connect, timeout before the head, non-2xx,
 * a record over the cap, a connection lost mid-stream). If it ends before opening, {@link #opened()} fails
 * with the same exception. Records stop before {@link #ended()} completes.
 */
public final class LocalApiStream implements AutoCloseable {
    private final CompletableFuture<String> opened = new CompletableFuture<>();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private volatile @Nullable Channel channel;

    LocalApiStream() {
        ended.whenComplete((v, failure) -> {
            if (failure != null) {
                opened.completeExceptionally(failure);
            } else {
                opened.completeExceptionally(new IllegalStateException("stream closed before it opened"));
            }
            Channel c = channel;
            if (c != null) {
                c.close();
            }
        });
    }

    public CompletableFuture<String> opened() {
        return opened;
    }

    public CompletableFuture<Void> ended() {
        return ended;
    }

    /** Ends the stream and closes its connection; no record is delivered after this returns on the loop. */
    @Override
    public void close() {
        ended.complete(null);
    }

    void attach(Channel ch) {
        channel = ch;
        if (ended.isDone()) {
            ch.close();
        }
    }

    void open(String tailscaleVersion) {
        opened.complete(tailscaleVersion);
    }

    void end(@Nullable LocalApiException failure) {
        if (failure == null) {
            ended.complete(null);
        } else {
            ended.completeExceptionally(failure);
        }
    }
}
