package io.derpwatch.agent.localapi;

import io.derpwatch.agent.localapi.LocalApiException.Kind;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
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
final class StreamedResponseHandler<T> extends ResponseHandler<T> {
    private final BodyReader<T> reader;
    private long received;
    private final StringBuilder errorExcerpt = new StringBuilder();

    StreamedResponseHandler(long maxBodySize, Path socket, BodyReader<T> reader, CompletableFuture<T> result) {
        super(maxBodySize, socket, result);
        this.reader = reader;
    }

    private boolean success() {
        int status = head.status().code();
        return status >= 200 && status <= 299;
    }

    @Override
    void onHead(ChannelHandlerContext ctx, HttpResponse response) {
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

    @Override
    long received() {
        return received;
    }

    @Override
    void onContent(ChannelHandlerContext ctx, HttpContent content) {
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
}
