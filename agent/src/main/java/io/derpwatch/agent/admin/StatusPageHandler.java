package io.derpwatch.agent.admin;

import io.derpwatch.agent.view.AgentViewCodec;
import io.derpwatch.agent.view.ViewSource;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Answers {@code GET /} (the status page: one self-contained HTML file that polls {@code /api/state}) and
 * {@code GET /api/state} (the {@link io.derpwatch.agent.view.AgentView} as JSON). Other requests go on down
 * the pipeline.
 */
final class StatusPageHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final String PAGE_RESOURCE = "status-page.html";
    /** Nothing the page needs comes from elsewhere; nothing may frame it. */
    private static final String CSP =
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self';"
                    + " img-src 'self' data:; frame-ancestors 'none'";

    private final ViewSource view;
    private final byte[] page;

    StatusPageHandler(ViewSource view, byte[] page) {
        super(false);
        this.view = view;
        this.page = page;
    }

    static byte[] page() {
        try (InputStream in = StatusPageHandler.class.getResourceAsStream(PAGE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(PAGE_RESOURCE + " missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        String path = new QueryStringDecoder(req.uri()).path();
        boolean ours = path.equals("/") || path.equals("/index.html") || path.equals("/api/state");
        if (!ours || !HttpResponses.readOnly(req)) {
            ctx.fireChannelRead(req);
            return;
        }
        try {
            FullHttpResponse res;
            if (path.equals("/api/state")) {
                res = HttpResponses.of(
                        HttpResponseStatus.OK, "application/json", AgentViewCodec.write(view.snapshot()));
            } else {
                res = HttpResponses.of(HttpResponseStatus.OK, "text/html; charset=utf-8", page);
                res.headers().set("Content-Security-Policy", CSP);
                res.headers().set("X-Content-Type-Options", "nosniff");
                res.headers().set(HttpHeaderNames.CONTENT_LANGUAGE, "en");
            }
            HttpResponses.send(ctx, req, res);
        } finally {
            req.release();
        }
    }
}
