package io.derpwatch.agent.localapi;

import io.derpwatch.agent.localapi.LocalApiException.Kind;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * Hands one HTTP response's 2xx body to a {@link BodyReader} chunk by chunk as it arrives (never aggregated),
 * counting it against a size cap, and completes a future with what the reader made or with a
 * {@link LocalApiException}: a body over the cap (declared or streamed), a connection that closed mid-body, a
 * non-2xx status (with an excerpt of its body), a response HTTP cannot decode, a reader that threw. Releases
 * every message it is handed.
 */
final class StreamedResponseHandler<T> extends ChannelInboundHandlerAdapter {
    private static final int ERROR_BODY_EXCERPT = 200;

    private final long maxBodySize;
    private final Path socket;
    private final BodyReader<T> reader;
    private final CompletableFuture<T> result;
    private HttpResponse head;
    private long received;
    private final StringBuilder errorExcerpt = new StringBuilder();

    StreamedResponseHandler(long maxBodySize, Path socket, BodyReader<T> reader, CompletableFuture<T> result) {
        this.maxBodySize = maxBodySize;
        this.socket = socket;
        this.reader = reader;
        this.result = result;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
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
                onHead(ctx, response);
            }
            if (http instanceof HttpContent content && !result.isDone()) {
                onContent(ctx, content);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private boolean success() {
        int status = head.status().code();
        return status >= 200 && status <= 299;
    }

    private void onHead(ChannelHandlerContext ctx, HttpResponse response) {
        head = response;
        long declared = HttpUtil.getContentLength(response, -1L);
        if (declared > maxBodySize && success()) {
            fail(
                    ctx,
                    Kind.BODY_TOO_LARGE,
                    "LocalAPI response on " + socket + " declares " + declared + " bytes, more than its body cap "
                            + maxBodySize,
                    null);
        }
    }

    private void onContent(ChannelHandlerContext ctx, HttpContent content) {
        if (head == null) {
            fail(ctx, Kind.PROTOCOL, "HTTP body without a response head from " + socket, null);
            return;
        }
        ByteBuf chunk = content.content();
        received += chunk.readableBytes();
        if (!success()) {
            if (errorExcerpt.length() < ERROR_BODY_EXCERPT) {
                int n = Math.min(chunk.readableBytes(), ERROR_BODY_EXCERPT - errorExcerpt.length());
                errorExcerpt.append(chunk.toString(chunk.readerIndex(), n, StandardCharsets.UTF_8));
            }
            if (content instanceof LastHttpContent) {
                String text = errorExcerpt.toString().strip();
                fail(
                        ctx,
                        Kind.HTTP_STATUS,
                        "LocalAPI on " + socket + " answered " + head.status() + (text.isEmpty() ? "" : ": " + text),
                        null,
                        head.status().code());
            }
            return;
        }
        if (received > maxBodySize) {
            fail(
                    ctx,
                    Kind.BODY_TOO_LARGE,
                    "LocalAPI response body on " + socket + " is larger than its body cap " + maxBodySize,
                    null);
            return;
        }
        try {
            if (chunk.isReadable()) {
                for (ByteBuffer b : chunk.nioBuffers()) {
                    reader.chunk(b);
                }
            }
            if (content instanceof LastHttpContent) {
                result.complete(reader.end());
                ctx.close();
            }
        } catch (Exception e) {
            fail(ctx, Kind.MALFORMED_JSON, e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!result.isDone()) {
            if (head == null) {
                result.completeExceptionally(new LocalApiException(
                        Kind.CONNECTION_CLOSED,
                        socket,
                        "tailscaled closed the connection on " + socket + " before answering"));
            } else {
                long declared = HttpUtil.getContentLength(head, -1L);
                result.completeExceptionally(new LocalApiException(
                        Kind.TRUNCATED,
                        socket,
                        "LocalAPI response on " + socket + " ended after " + received + " body bytes"
                                + (declared >= 0 ? " of " + declared + " declared" : "")));
            }
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!result.isDone()) {
            result.completeExceptionally(SocketErrorClassifier.classify(cause, socket));
        }
        ctx.close();
    }

    private void fail(ChannelHandlerContext ctx, Kind kind, String message, Throwable cause) {
        fail(ctx, kind, message, cause, 0);
    }

    private void fail(ChannelHandlerContext ctx, Kind kind, String message, Throwable cause, int httpStatus) {
        result.completeExceptionally(new LocalApiException(kind, socket, message, cause, httpStatus));
        ctx.close();
    }
}
