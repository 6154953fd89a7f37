package io.derpwatch.agent.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Answers {@code GET /healthz} (alive: every supervised component progresses, the loop keeps time; 503 with the
 * reasons otherwise, docs/reliability.md) and {@code GET /readyz} (the first sample is done).
 */
final class HealthHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Supplier<String> readiness;
    private final Supplier<String> liveness;

    HealthHandler(Supplier<String> readiness) {
        this(readiness, () -> null);
    }

    /** @param liveness null when alive, else why not */
    HealthHandler(Supplier<String> readiness, Supplier<String> liveness) {
        this.readiness = readiness;
        this.liveness = liveness;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        String path = new QueryStringDecoder(req.uri()).path();
        FullHttpResponse res;
        if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
            res = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n");
            res.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
        } else if (path.equals("/healthz")) {
            String dead = liveness.get();
            res = dead == null
                    ? text(HttpResponseStatus.OK, "ok\n")
                    : text(HttpResponseStatus.SERVICE_UNAVAILABLE, "unhealthy: " + dead + "\n");
        } else if (path.equals("/readyz")) {
            String notReady = readiness.get();
            res = notReady == null
                    ? text(HttpResponseStatus.OK, "ready\n")
                    : text(HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready: " + notReady + "\n");
        } else {
            res = text(HttpResponseStatus.NOT_FOUND, "not found; try /healthz or /readyz\n");
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (keepAlive) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(res);
        } else {
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        FullHttpResponse res = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        HttpUtil.setContentLength(res, res.content().readableBytes());
        return res;
    }
}
