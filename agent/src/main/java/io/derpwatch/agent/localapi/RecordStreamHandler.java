package io.derpwatch.agent.localapi;

import io.derpwatch.agent.localapi.LocalApiException.Kind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Reads an endless HTTP response as newline-delimited records ({@code /localapi/v0/watch-ipn-bus}): each
 * complete line, without its {@code \n} (and a {@code \r} before it), goes to the consumer as it arrives, on
 * the event loop; empty lines are skipped. At most {@code maxRecordSize} bytes are held for one record: a
 * longer one fails the stream with {@link Kind#RECORD_TOO_LARGE} and closes it, so a runaway record costs
 * that much memory and no more (or, in skip mode, is skipped to its newline and reported). A non-2xx answer fails it with {@link Kind#HTTP_STATUS} (with the start of the
 * body); a clean end of the response, or of the connection after the last chunk, ends it normally; a
 * connection lost mid-response is {@link Kind#TRUNCATED}. Releases every message and its own buffer.
 */
final class RecordStreamHandler extends ChannelInboundHandlerAdapter {
    private static final int ERROR_BODY_EXCERPT = 200;

    private final long maxRecordSize;
    private final Path socket;
    private final LocalApiStream stream;
    private final Consumer<byte[]> records;
    private final @Nullable Runnable oversized;
    private @Nullable HttpResponse head;
    private boolean skipping;
    private @Nullable ByteBuf pending;
    private boolean failedStatus;

    RecordStreamHandler(long maxRecordSize, Path socket, LocalApiStream stream, Consumer<byte[]> records) {
        this(maxRecordSize, socket, stream, records, null);
    }

    /**
     * @param oversized when not null, a record over the cap is skipped to its newline and this is run instead
     *                  (the stream goes on); when null such a record fails the stream
     */
    RecordStreamHandler(
            long maxRecordSize,
            Path socket,
            LocalApiStream stream,
            Consumer<byte[]> records,
            @Nullable Runnable oversized) {
        this.maxRecordSize = maxRecordSize;
        this.socket = socket;
        this.stream = stream;
        this.records = records;
        this.oversized = oversized;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        pending = ctx.alloc().buffer(1024);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (stream.ended().isDone() || !(msg instanceof HttpObject http)) {
                return;
            }
            if (http.decoderResult().isFailure()) {
                Kind kind = head == null ? Kind.PROTOCOL : Kind.TRUNCATED;
                fail(
                        ctx,
                        kind,
                        "unreadable HTTP stream from " + socket + ": "
                                + http.decoderResult().cause());
                return;
            }
            if (http instanceof HttpResponse response) {
                head = response;
                int status = response.status().code();
                failedStatus = status < 200 || status > 299;
                if (!failedStatus) {
                    stream.open(response.headers().get("Tailscale-Version", ""));
                }
            }
            if (http instanceof HttpContent content) {
                onContent(ctx, content);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onContent(ChannelHandlerContext ctx, HttpContent content) {
        ByteBuf buf = pending;
        if (head == null || buf == null) {
            fail(ctx, Kind.PROTOCOL, "HTTP body without a response head from " + socket);
            return;
        }
        ByteBuf chunk = content.content();
        if (failedStatus) {
            buf.writeBytes(
                    chunk, Math.min(chunk.readableBytes(), Math.max(0, ERROR_BODY_EXCERPT - buf.readableBytes())));
            if (content instanceof LastHttpContent) {
                String text = buf.toString(StandardCharsets.UTF_8).strip();
                stream.end(new LocalApiException(
                        Kind.HTTP_STATUS,
                        socket,
                        "LocalAPI on " + socket + " answered " + head.status() + (text.isEmpty() ? "" : ": " + text),
                        null,
                        head.status().code()));
                release();
                ctx.close();
            }
            return;
        }
        while (chunk.isReadable()) {
            int nl = chunk.indexOf(chunk.readerIndex(), chunk.writerIndex(), (byte) '\n');
            int take = (nl < 0 ? chunk.writerIndex() : nl) - chunk.readerIndex();
            if (skipping) {
                chunk.skipBytes(take);
                if (nl < 0) {
                    break;
                }
                chunk.skipBytes(1);
                skipping = false;
                continue;
            }
            if ((long) buf.readableBytes() + take > maxRecordSize && oversized != null) {
                buf.clear();
                skipping = true;
                oversized.run();
                if (stream.ended().isDone()) {
                    return;
                }
                continue;
            }
            if ((long) buf.readableBytes() + take > maxRecordSize) {
                fail(
                        ctx,
                        Kind.RECORD_TOO_LARGE,
                        "a record on the LocalAPI stream from " + socket + " is larger than the record size cap "
                                + maxRecordSize + " bytes");
                return;
            }
            buf.writeBytes(chunk, take);
            if (nl < 0) {
                break;
            }
            chunk.skipBytes(1);
            deliver(buf);
            if (stream.ended().isDone()) {
                return; // the consumer closed the stream
            }
        }
        if (content instanceof LastHttpContent) {
            if (buf.isReadable() && !skipping) {
                deliver(buf); // a last record without its newline
            }
            stream.end(null);
            ctx.close();
        }
    }

    private void deliver(ByteBuf buf) {
        int len = buf.readableBytes();
        if (len > 0 && buf.getByte(buf.writerIndex() - 1) == '\r') {
            len--;
        }
        if (len == 0) {
            buf.clear();
            return;
        }
        byte[] record = ByteBufUtil.getBytes(buf, buf.readerIndex(), len);
        buf.clear();
        records.accept(record);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!stream.ended().isDone()) {
            if (head == null) {
                stream.end(new LocalApiException(
                        Kind.CONNECTION_CLOSED,
                        socket,
                        "tailscaled closed the connection on " + socket + " before answering"));
            } else {
                stream.end(new LocalApiException(
                        Kind.TRUNCATED, socket, "the LocalAPI stream on " + socket + " ended without its last chunk"));
            }
        }
        release();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!stream.ended().isDone()) {
            stream.end(SocketErrorClassifier.classify(cause, socket));
        }
        ctx.close();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    private void fail(ChannelHandlerContext ctx, Kind kind, String message) {
        stream.end(new LocalApiException(kind, socket, message));
        release();
        ctx.close();
    }

    private void release() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }
}
