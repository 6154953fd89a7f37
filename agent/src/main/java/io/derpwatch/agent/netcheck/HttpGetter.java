package io.derpwatch.agent.netcheck;

import io.derpwatch.agent.net.NettyTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * One non-blocking HTTP/1.1 GET on the event loop, plain or over TLS with host-name verification. Used for the
 * DERP map URL, the HTTPS latency fallback and the captive-portal check. Every exchange has a deadline.
 */
final class HttpGetter {
    private final EventLoop loop;
    private final NettyTransport transport;
    private final Supplier<SslContext> sslFactory;
    private SslContext ssl; // made on the first https:// request: the JDK's TLS stack costs memory to load
    private final NodeAddressResolver resolver;

    HttpGetter(
            EventLoop loop, NettyTransport transport, Supplier<SslContext> sslFactory, NodeAddressResolver resolver) {
        this.loop = loop;
        this.transport = transport;
        this.sslFactory = sslFactory;
        this.resolver = resolver;
    }

    private synchronized SslContext ssl() {
        if (ssl == null) {
            ssl = sslFactory.get();
        }
        return ssl;
    }

    /** GETs an {@code http(s)://} URL, resolving its host with the non-blocking resolver. */
    CompletableFuture<HttpResult> get(java.net.URI url, Duration timeout, int maxBody) {
        boolean tls = "https".equalsIgnoreCase(url.getScheme());
        String host = url.getHost();
        if (host == null || (!tls && !"http".equalsIgnoreCase(url.getScheme()))) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("not an http(s) URL: " + url));
        }
        int port = url.getPort() > 0 ? url.getPort() : tls ? 443 : 80;
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            path += "?" + url.getRawQuery();
        }
        String target = path;
        return resolver.resolveHost(host)
                .thenCompose(
                        addr -> get(new InetSocketAddress(addr, port), host, target, tls, Map.of(), timeout, maxBody));
    }

    /**
     * GETs {@code path} from {@code target}. {@code host} is the Host header, the TLS server name and the name the
     * certificate must match. Completes with the response, or exceptionally on connect/TLS/timeout/size errors.
     */
    CompletableFuture<HttpResult> get(
            InetSocketAddress target,
            String host,
            String path,
            boolean tls,
            Map<String, String> headers,
            Duration timeout,
            int maxBody) {
        CompletableFuture<HttpResult> result = new CompletableFuture<>();
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, timeout.toMillis()))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls) {
                            SSLEngine engine = ssl().newEngine(ch.alloc(), host, target.getPort());
                            SSLParameters params = engine.getSSLParameters();
                            params.setEndpointIdentificationAlgorithm("HTTPS");
                            engine.setSSLParameters(params);
                            ch.pipeline().addLast(new SslHandler(engine));
                        }
                        ch.pipeline()
                                .addLast(
                                        new HttpClientCodec(),
                                        new ResponseTimer(),
                                        new HttpObjectAggregator(maxBody),
                                        new ResponseHandler(result));
                    }
                });
        Channel[] channel = new Channel[1];
        ScheduledFuture<?> deadline = loop.schedule(
                () -> {
                    if (result.completeExceptionally(new TimeoutException(
                                    "no HTTP response from " + host + " within " + timeout.toMillis() + " ms"))
                            && channel[0] != null) {
                        channel[0].close();
                    }
                },
                timeout.toNanos(),
                TimeUnit.NANOSECONDS);
        result.whenComplete((r, e) -> deadline.cancel(false));
        b.connect(target).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(f.cause());
                return;
            }
            Channel ch = f.channel();
            channel[0] = ch;
            result.whenComplete((r, e) -> ch.close());
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
            request.headers()
                    .set(HttpHeaderNames.HOST, host)
                    .set(HttpHeaderNames.USER_AGENT, "derpwatch")
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            headers.forEach(request.headers()::set);
            SslHandler sslHandler = ch.pipeline().get(SslHandler.class);
            if (sslHandler == null) {
                send(ch, request, result);
            } else {
                sslHandler.handshakeFuture().addListener(h -> {
                    if (h.isSuccess()) {
                        send(ch, request, result);
                    } else {
                        request.release();
                        result.completeExceptionally(h.cause());
                    }
                });
            }
        });
        return result;
    }

    private static void send(Channel ch, FullHttpRequest request, CompletableFuture<HttpResult> result) {
        ch.pipeline().get(ResponseTimer.class).start();
        ch.writeAndFlush(request).addListener(w -> {
            if (!w.isSuccess()) {
                result.completeExceptionally(w.cause());
            }
        });
    }

    /** Notes when the request went out and when the response head arrived. */
    private static final class ResponseTimer extends io.netty.channel.ChannelInboundHandlerAdapter {
        private long startNanos;
        private long latencyNanos = -1;

        void start() {
            startNanos = System.nanoTime();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (latencyNanos < 0 && msg instanceof HttpResponse) {
                latencyNanos = System.nanoTime() - startNanos;
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** Completes the exchange with the aggregated response. */
    private static final class ResponseHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final CompletableFuture<HttpResult> result;

        ResponseHandler(CompletableFuture<HttpResult> result) {
            this.result = result;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse msg) {
            long nanos = ctx.pipeline().get(ResponseTimer.class).latencyNanos;
            result.complete(new HttpResult(
                    msg.status().code(),
                    msg.headers().copy(),
                    ByteBufUtil.getBytes(msg.content()),
                    Duration.ofNanos(Math.max(0, nanos))));
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.completeExceptionally(new java.io.IOException("connection closed before a full response"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.completeExceptionally(cause);
            ctx.close();
        }
    }
}
