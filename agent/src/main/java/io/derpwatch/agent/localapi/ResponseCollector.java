package io.derpwatch.agent.localapi;

import io.derpwatch.agent.localapi.LocalApiException.Kind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * Reads one HTTP response into memory, up to a size limit, and completes a future with it or with a
 * {@link LocalApiException} saying what went wrong: a body over the limit (declared or streamed), a
 * connection that closed mid-body, a non-2xx status, a response HTTP cannot decode. Releases every message it
 * is handed and its own buffer.
 */
final class ResponseCollector extends ChannelInboundHandlerAdapter {
    private static final int ERROR_BODY_EXCERPT = 200;

    private final long maxBodySize;
    private final Path socket;
    private final CompletableFuture<LocalApiResponse> result;
    private HttpResponse head;
    private ByteBuf body;

    ResponseCollector(long maxBodySize, Path socket, CompletableFuture<LocalApiResponse> result) {
        this.maxBodySize = maxBodySize;
        this.socket = socket;
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

    private void onHead(ChannelHandlerContext ctx, HttpResponse response) {
        head = response;
        long declared = HttpUtil.getContentLength(response, -1L);
        if (declared > maxBodySize) {
            fail(
                    ctx,
                    Kind.BODY_TOO_LARGE,
                    "LocalAPI response on " + socket + " declares " + declared + " bytes, more than max-body-size "
                            + maxBodySize,
                    null);
            return;
        }
        int initial = (int) Math.min(Math.max(declared, 1024), 64 * 1024);
        body = ctx.alloc().buffer(initial);
    }

    private void onContent(ChannelHandlerContext ctx, HttpContent content) {
        if (body == null) {
            fail(ctx, Kind.PROTOCOL, "HTTP body without a response head from " + socket, null);
            return;
        }
        ByteBuf chunk = content.content();
        if ((long) body.readableBytes() + chunk.readableBytes() > maxBodySize) {
            fail(
                    ctx,
                    Kind.BODY_TOO_LARGE,
                    "LocalAPI response body on " + socket + " is larger than max-body-size " + maxBodySize,
                    null);
            return;
        }
        body.writeBytes(chunk);
        if (content instanceof LastHttpContent) {
            complete(ctx);
        }
    }

    private void complete(ChannelHandlerContext ctx) {
        byte[] bytes = ByteBufUtil.getBytes(body);
        int status = head.status().code();
        if (status < 200 || status > 299) {
            String text =
                    new String(bytes, 0, Math.min(bytes.length, ERROR_BODY_EXCERPT), StandardCharsets.UTF_8).strip();
            fail(
                    ctx,
                    Kind.HTTP_STATUS,
                    "LocalAPI on " + socket + " answered " + head.status() + (text.isEmpty() ? "" : ": " + text),
                    null,
                    status);
            return;
        }
        String contentType = head.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
        String version = head.headers().get("Tailscale-Version", "");
        result.complete(new LocalApiResponse(status, contentType, version, bytes));
        releaseBody();
        ctx.close();
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
                int got = body == null ? 0 : body.readableBytes();
                result.completeExceptionally(new LocalApiException(
                        Kind.TRUNCATED,
                        socket,
                        "LocalAPI response on " + socket + " ended after " + got + " body bytes"
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

    private void fail(ChannelHandlerContext ctx, Kind kind, String message, Throwable cause) {
        fail(ctx, kind, message, cause, 0);
    }

    private void fail(ChannelHandlerContext ctx, Kind kind, String message, Throwable cause, int httpStatus) {
        result.completeExceptionally(new LocalApiException(kind, socket, message, cause, httpStatus));
        releaseBody();
        ctx.close();
    }

    private void releaseBody() {
        if (body != null) {
            body.release();
            body = null;
        }
    }
}
