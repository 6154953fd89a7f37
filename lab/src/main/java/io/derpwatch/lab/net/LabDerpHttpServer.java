package io.derpwatch.lab.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP side of a lab DERP server on loopback: over TLS, {@code GET /derp/latency-check} (answers
 * {@code latencyStatus}) and, when given, {@code /derpmap/default}; in plain HTTP, {@code GET /generate_204} answering tailscale's captive-portal challenge
 * honestly, or like a captive portal (a 200 login page) when {@code captive} is set.
 */
public final class LabDerpHttpServer implements AutoCloseable {
    private final Channel channel;
    private final AtomicInteger latencyChecks = new AtomicInteger();
    private final AtomicInteger portalChecks = new AtomicInteger();
    private final AtomicInteger derpMapRequests = new AtomicInteger();
    private final int latencyStatus;
    private final boolean captive;
    private volatile byte[] derpMap;

    private LabDerpHttpServer(
            EventLoopGroup group, InetSocketAddress listen, SslContext tls, int latencyStatus, boolean captive)
            throws InterruptedException {
        this.latencyStatus = latencyStatus;
        this.captive = captive;
        this.channel = new ServerBootstrap()
                .group(group)
                .channel(LabEventLoops.server())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192), new Handler());
                    }
                })
                .bind(listen)
                .sync()
                .channel();
    }

    /** An HTTPS server ({@code /derp/latency-check}). */
    public static LabDerpHttpServer https(
            EventLoopGroup group, InetSocketAddress listen, SslContext tls, int latencyStatus)
            throws InterruptedException {
        return new LabDerpHttpServer(group, listen, tls, latencyStatus, false);
    }

    /** A plain HTTP server ({@code /generate_204}); {@code captive} answers like a captive portal. */
    public static LabDerpHttpServer http(EventLoopGroup group, InetSocketAddress listen, boolean captive)
            throws InterruptedException {
        return new LabDerpHttpServer(group, listen, null, 200, captive);
    }

    /** Serves {@code json} at {@code /derpmap/default} from now on (null: 404). */
    public void serveDerpMap(byte[] json) {
        this.derpMap = json == null ? null : json.clone();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    public int latencyChecks() {
        return latencyChecks.get();
    }

    public int portalChecks() {
        return portalChecks.get();
    }

    public int derpMapRequests() {
        return derpMapRequests.get();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            FullHttpResponse res;
            if (req.uri().equals("/derp/latency-check")) {
                latencyChecks.incrementAndGet();
                res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(latencyStatus));
            } else if (req.uri().equals("/derpmap/default") && derpMap != null) {
                derpMapRequests.incrementAndGet();
                res = new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(derpMap));
                res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            } else if (req.uri().equals("/generate_204")) {
                portalChecks.incrementAndGet();
                String challenge = req.headers().get("X-Tailscale-Challenge");
                if (captive || challenge == null) {
                    res = new DefaultFullHttpResponse(
                            HttpVersion.HTTP_1_1,
                            HttpResponseStatus.OK,
                            Unpooled.copiedBuffer("<html>Please log in</html>", StandardCharsets.UTF_8));
                } else {
                    res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
                    res.headers().set("X-Tailscale-Response", "response " + challenge);
                }
            } else {
                res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND);
            }
            res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // e.g. a client that does not trust the lab certificate aborts the handshake
        }
    }
}
