package io.derpwatch.lab;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Answers LocalAPI requests the way tailscaled's {@code ipn/localapi} handler does: it rejects requests that
 * carry {@code Referer} or {@code Origin} or a {@code Host} other than {@code local-tailscaled.sock} with 403
 * "invalid localapi request", serves {@code /localapi/v0/status} (honouring {@code peers=false}) and
 * {@code /localapi/v0/derpmap}, hands {@code /localapi/v0/watch-ipn-bus} to {@link IpnBus}, {@code /localapi/v0/ping}
 * ({@link LabPing}), {@code /localapi/v0/usermetrics} ({@link LabUserMetrics}) and {@code /localapi/v0/logtap}
 * ({@link LabLogTap}) to theirs, and 404s anything else.
 * Bodies up to 2 KiB get a {@code Content-Length};
 * longer ones are chunked, as Go's net/http does when a handler writes more than its buffer.
 */
@ChannelHandler.Sharable
final class LocalApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    static final String LOCALAPI_HOST = "local-tailscaled.sock";
    private static final int GO_BUFFER_BEFORE_CHUNKING = 2048;
    private static final int CHUNK_SIZE = 4096;
    private static final int OVERSIZE = 2 * 1024 * 1024;
    private static final Set<String> GO_FALSE = Set.of("0", "f", "F", "false", "FALSE", "False");

    private final LocalApiEmulator emulator;
    private final LabDocuments documents;

    LocalApiHandler(LocalApiEmulator emulator, LabDocuments documents) {
        this.emulator = emulator;
        this.documents = documents;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        emulator.record(toLabRequest(request));
        boolean close = !HttpUtil.isKeepAlive(request);
        String host = request.headers().get(HttpHeaderNames.HOST);
        if (host == null && request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
            writeText(ctx, HttpResponseStatus.BAD_REQUEST, "400 Bad Request: missing required Host header", true);
            return;
        }
        if (!empty(request.headers().get(HttpHeaderNames.REFERER))
                || !empty(request.headers().get(HttpHeaderNames.ORIGIN))
                || !(host == null || host.isEmpty() || host.equals(LOCALAPI_HOST))) {
            writeText(ctx, HttpResponseStatus.FORBIDDEN, "invalid localapi request", close);
            return;
        }
        LabNodeState state = emulator.state();
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        Misbehaviour misbehaviour = emulator.misbehaviourFor(uri.path());
        switch (misbehaviour) {
            case NO_ANSWER -> {
                emulator.hold(ctx.channel());
                return;
            }
            case SERVER_ERROR -> {
                writeText(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error", close);
                return;
            }
            case GARBAGE_JSON -> {
                writeJson(
                        ctx,
                        "{\"Version\": \"1.98.4\", \"BackendState\": Running, <html>oops</html>\n"
                                .getBytes(StandardCharsets.UTF_8),
                        close);
                return;
            }
            case TRUNCATED_BODY -> {
                byte[] body = documents.status(state, false);
                HttpResponse head = okHead();
                HttpUtil.setContentLength(head, body.length);
                ctx.write(head);
                ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(body, 0, body.length / 2)))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            case OVERSIZED_BODY -> {
                byte[] body = documents.padded(OVERSIZE);
                FullHttpResponse response = new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
                response.headers().set(okHead().headers());
                HttpUtil.setContentLength(response, body.length);
                finish(ctx, ctx.writeAndFlush(response), close);
                return;
            }
            case OVERSIZED_CHUNKED_BODY -> {
                writeChunked(ctx, okHead(), documents.padded(OVERSIZE), close);
                return;
            }
            case NONE -> {
                // answer like tailscaled, below
            }
        }
        switch (uri.path()) {
            case "/" -> writeText(ctx, HttpResponseStatus.OK, "tailscaled", close);
            case "/localapi/v0/status" -> {
                List<String> peers = uri.parameters().getOrDefault("peers", List.of());
                boolean withPeers = peers.isEmpty() || !GO_FALSE.contains(peers.get(0));
                writeJson(
                        ctx,
                        emulator.statusDocument()
                                .or(() -> withPeers ? emulator.statusWithPeersDocument() : Optional.empty())
                                .orElseGet(() -> documents.status(state, withPeers)),
                        close);
            }
            case IpnBus.PATH -> {
                emulator.hold(ctx.channel()); // closed with the emulator
                emulator.ipnBus().watch(ctx, uri, okHead());
            }
            case "/localapi/v0/derpmap" -> {
                if (!request.method().equals(HttpMethod.GET)) {
                    writeText(ctx, HttpResponseStatus.BAD_REQUEST, "want GET", close);
                } else {
                    writeJson(
                            ctx,
                            state.derpMapPresent()
                                    ? emulator.derpMapDocument()
                                            .orElseGet(() -> documents.derpMap(state, emulator.derpServers()))
                                    : documents.derpMap(state),
                            close);
                }
            }
            case "/localapi/v0/ping" ->
                write(
                        ctx,
                        emulator.ping().answer(request.method().name(), first(uri, "ip"), first(uri, "type")),
                        close);
            case LabLogTap.PATH -> {
                emulator.hold(ctx.channel()); // closed with the emulator
                emulator.logTap().tap(ctx, request.method(), okHead(), close);
            }
            case "/localapi/v0/usermetrics" ->
                write(ctx, emulator.userMetrics().answer(request.method().name()), close);
            default -> writeText(ctx, HttpResponseStatus.NOT_FOUND, "404 page not found", close);
        }
    }

    private void write(ChannelHandlerContext ctx, LabAnswer answer, boolean close) {
        if (answer.held()) {
            emulator.hold(ctx.channel());
        } else if (answer.contentType().equals(LabAnswer.JSON) && answer.status() == 200) {
            writeJson(ctx, answer.body(), close);
        } else {
            FullHttpResponse response = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(answer.status()),
                    Unpooled.wrappedBuffer(answer.body()));
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, answer.contentType())
                    .set("X-Content-Type-Options", "nosniff");
            HttpUtil.setContentLength(response, answer.body().length);
            if (close) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            finish(ctx, ctx.writeAndFlush(response), close);
        }
    }

    private static String first(QueryStringDecoder uri, String name) {
        List<String> v = uri.parameters().getOrDefault(name, List.of());
        return v.isEmpty() ? "" : v.get(0);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private HttpResponse okHead() {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .set("Tailscale-Version", documents.version())
                .set("X-Content-Type-Options", "nosniff");
        return head;
    }

    private void writeJson(ChannelHandlerContext ctx, byte[] body, boolean close) {
        HttpResponse head = okHead();
        if (body.length > GO_BUFFER_BEFORE_CHUNKING) {
            writeChunked(ctx, head, body, close);
            return;
        }
        FullHttpResponse response =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
        response.headers().set(head.headers());
        HttpUtil.setContentLength(response, body.length);
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        finish(ctx, ctx.writeAndFlush(response), close);
    }

    private void writeChunked(ChannelHandlerContext ctx, HttpResponse head, byte[] body, boolean close) {
        HttpUtil.setTransferEncodingChunked(head, true);
        if (close) {
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ctx.write(head);
        for (int off = 0; off < body.length; off += CHUNK_SIZE) {
            ByteBuf chunk = Unpooled.wrappedBuffer(body, off, Math.min(CHUNK_SIZE, body.length - off));
            ctx.write(new DefaultHttpContent(chunk));
        }
        finish(ctx, ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT), close);
    }

    /** Go's {@code http.Error}: plain text, nosniff, the message and a newline. */
    static void writeText(ChannelHandlerContext ctx, HttpResponseStatus status, String message, boolean close) {
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(message + "\n", StandardCharsets.UTF_8));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .set("X-Content-Type-Options", "nosniff");
        HttpUtil.setContentLength(response, response.content().readableBytes());
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        finish(ctx, ctx.writeAndFlush(response), close);
    }

    private static void finish(ChannelHandlerContext ctx, io.netty.channel.ChannelFuture written, boolean close) {
        if (close) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static boolean empty(String s) {
        return s == null || s.isEmpty();
    }

    private static LabRequest toLabRequest(FullHttpRequest request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : request.headers()) {
            headers.computeIfAbsent(h.getKey(), k -> new ArrayList<>()).add(h.getValue());
        }
        return new LabRequest(
                request.method().name(),
                request.uri(),
                request.protocolVersion().text(),
                headers);
    }
}
