package io.derpwatch.agent.admin;

import io.derpwatch.agent.telemetry.PrometheusScrape;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers {@code GET /metrics}: the agent's instruments collected now, in the Prometheus text format or
 * OpenMetrics when {@code Accept} asks for it. Other requests go on down the pipeline.
 */
final class MetricsHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsHandler.class);
    private final PrometheusScrape scrape;

    MetricsHandler(PrometheusScrape scrape) {
        super(false);
        this.scrape = scrape;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (!new QueryStringDecoder(req.uri()).path().equals("/metrics") || !HttpResponses.readOnly(req)) {
            ctx.fireChannelRead(req);
            return;
        }
        try {
            PrometheusScrape.Exposition e = scrape.scrape(req.headers().get(HttpHeaderNames.ACCEPT));
            HttpResponses.send(ctx, req, HttpResponses.of(HttpResponseStatus.OK, e.contentType(), e.body()));
        } catch (RuntimeException e) {
            LOG.warn("/metrics: collection failed: {}", e.toString());
            HttpResponses.send(
                    ctx,
                    req,
                    HttpResponses.of(
                            HttpResponseStatus.INTERNAL_SERVER_ERROR,
                            "text/plain; charset=utf-8",
                            ("collection failed: " + e.getClass().getSimpleName() + "\n")
                                    .getBytes(StandardCharsets.UTF_8)));
        } finally {
            req.release();
        }
    }
}
