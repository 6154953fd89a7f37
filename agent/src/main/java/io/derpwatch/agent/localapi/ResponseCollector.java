package io.derpwatch.agent.localapi;

import io.derpwatch.agent.localapi.LocalApiException.Kind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * Reads one HTTP response into memory, up to a size limit, and completes a future with it or with a
 * {@link LocalApiException} saying what went wrong: a body over the limit (declared or streamed), a
 * connection that closed mid-body, a non-2xx status, a response HTTP cannot decode. Releases every message it
 * is handed and its own buffer.
 */
final class ResponseCollector extends ResponseHandler<LocalApiResponse> {
    private ByteBuf body;

    ResponseCollector(long maxBodySize, Path socket, CompletableFuture<LocalApiResponse> result) {
        super(maxBodySize, socket, result);
    }

    @Override
    void onHead(ChannelHandlerContext ctx, HttpResponse response) {
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

    @Override
    void onContent(ChannelHandlerContext ctx, HttpContent content) {
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

    @Override
    long received() {
        return body == null ? 0 : body.readableBytes();
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
    void releaseBody() {
        if (body != null) {
            body.release();
            body = null;
        }
    }
}
