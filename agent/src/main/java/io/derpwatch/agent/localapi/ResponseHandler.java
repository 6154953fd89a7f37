package io.derpwatch.agent.localapi;

import io.derpwatch.agent.localapi.LocalApiException.Kind;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * What the two one-shot LocalAPI response handlers share ({@link ResponseCollector} holds the body,
 * {@link StreamedResponseHandler} hands it on as it arrives): one HTTP response completes one future, with a
 * value or a {@link LocalApiException} (an undecodable response, a connection that closed before or in the
 * middle of the body, a socket error); every message handed in is released here; every failure closes the
 * channel. Subclasses read the head and the body.
 */
abstract class ResponseHandler<T> extends ChannelInboundHandlerAdapter {
    static final int ERROR_BODY_EXCERPT = 200;

    final long maxBodySize;
    final Path socket;
    final CompletableFuture<T> result;

    @Nullable
    HttpResponse head;

    ResponseHandler(long maxBodySize, Path socket, CompletableFuture<T> result) {
        this.maxBodySize = maxBodySize;
        this.socket = socket;
        this.result = result;
    }

    /** The response head has arrived (already in {@link #head}). */
    abstract void onHead(ChannelHandlerContext ctx, HttpResponse response);

    /** A piece of the body (the last one is a {@code LastHttpContent}); released by the caller. */
    abstract void onContent(ChannelHandlerContext ctx, HttpContent content);

    /** Body bytes received so far, for the message of a truncated response. */
    abstract long received();

    /** Frees what the subclass holds; called on every way out, more than once is fine. */
    void releaseBody() {}

    @Override
    public final void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (result.isDone() || !(msg instanceof HttpObject http)) {
                return;
            }
            if (http.decoderResult().isFailure()) {
                Throwable cause = http.decoderResult().cause();
                Kind kind = cause instanceof PrematureChannelClosureException && head != null
                        ? Kind.TRUNCATED
                        : Kind.PROTOCOL;
                fail(ctx, kind, "unreadable HTTP response from " + socket + ": " + cause, cause);
                return;
            }
            if (http instanceof HttpResponse response) {
                head = response;
                onHead(ctx, response);
            }
            if (http instanceof HttpContent content && !result.isDone()) {
                onContent(ctx, content);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!result.isDone()) {
            HttpResponse h = head;
            if (h == null) {
                result.completeExceptionally(new LocalApiException(
                        Kind.CONNECTION_CLOSED,
                        socket,
                        "tailscaled closed the connection on " + socket + " before answering"));
            } else {
                long declared = HttpUtil.getContentLength(h, -1L);
                result.completeExceptionally(new LocalApiException(
                        Kind.TRUNCATED,
                        socket,
                        "LocalAPI response on " + socket + " ended after " + received() + " body bytes"
                                + (declared >= 0 ? " of " + declared + " declared" : "")));
            }
        }
        releaseBody();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!result.isDone()) {
            result.completeExceptionally(SocketErrorClassifier.classify(cause, socket));
        }
        releaseBody();
        ctx.close();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseBody();
    }

    final void fail(ChannelHandlerContext ctx, Kind kind, String message, @Nullable Throwable cause) {
        fail(ctx, kind, message, cause, 0);
    }

    final void fail(ChannelHandlerContext ctx, Kind kind, String message, @Nullable Throwable cause, int httpStatus) {
        result.completeExceptionally(new LocalApiException(kind, socket, message, cause, httpStatus));
        releaseBody();
        ctx.close();
    }
}
