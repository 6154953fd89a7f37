package io.derpwatch.agent.localapi;

import io.derpwatch.agent.localapi.LocalApiException.Kind;
import io.derpwatch.agent.net.NettyTransport;
import io.derpwatch.config.LocalApiLimits;
import io.derpwatch.config.LocalApiSettings;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP/1.1 client for tailscaled's LocalAPI over its Unix socket. Each request uses its own short-lived
 * connection on the given event-loop group ({@code Connection: close}), so a dead or restarted tailscaled
 * costs nothing to recover from: the next request simply connects again.
 *
 * <p>Requests carry {@code Host: local-tailscaled.sock} and never {@code Origin} or {@code Referer}
 * (tailscaled answers 403 to those). The whole exchange, connect to last byte, is bounded by the timeout, and
 * the body by the size limit. The returned future never completes on the caller's thread with an unchecked
 * exception: every failure is a {@link LocalApiException}.
 */
public final class LocalApiClient {
    /** The Host header tailscaled accepts on its socket ({@code apitype.LocalAPIHost}). */
    public static final String LOCALAPI_HOST = "local-tailscaled.sock";

    private static final int MAX_INITIAL_LINE = 4096;
    private static final int MAX_HEADER_SIZE = 16 * 1024;
    private static final int MAX_CHUNK_SIZE = 64 * 1024;

    private final EventLoopGroup group;
    private final NettyTransport transport;
    private final Path socket;
    private final Duration timeout;
    private final long maxBodySize;
    private final LocalApiLimits limits;

    public LocalApiClient(EventLoopGroup group, LocalApiSettings settings) {
        this(group, Path.of(settings.socket()), settings.timeout(), settings.maxBodySize(), settings.limits());
    }

    public LocalApiClient(EventLoopGroup group, Path socket, Duration timeout, long maxBodySize) {
        this(group, socket, timeout, maxBodySize, LocalApiLimits.DEFAULTS);
    }

    private LocalApiClient(
            EventLoopGroup group, Path socket, Duration timeout, long maxBodySize, LocalApiLimits limits) {
        this.group = Objects.requireNonNull(group);
        this.transport = NettyTransport.forGroup(group);
        this.socket = Objects.requireNonNull(socket);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("LocalAPI timeout must be positive: " + timeout);
        }
        if (maxBodySize <= 0) {
            throw new IllegalArgumentException("LocalAPI max body size must be positive: " + maxBodySize);
        }
        this.timeout = timeout;
        this.maxBodySize = maxBodySize;
        this.limits = limits;
    }

    /** The caps on what one response may cost to parse ({@code localapi.limits}), for the codecs of its bodies. */
    public LocalApiLimits limits() {
        return limits;
    }

    public Path socket() {
        return socket;
    }

    /**
     * {@code GET pathAndQuery} (such as {@code /localapi/v0/status?peers=false}); completes with the 2xx
     * response or exceptionally with a {@link LocalApiException}.
     */
    public CompletableFuture<LocalApiResponse> get(String pathAndQuery) {
        return exchange(HttpMethod.GET, pathAndQuery, maxBodySize);
    }

    /**
     * {@code GET pathAndQuery} with its own body cap instead of {@code localapi.max-body-size} (the status with
     * peers of a large tailnet is far larger than any other answer).
     */
    public CompletableFuture<LocalApiResponse> get(String pathAndQuery, long bodyCap) {
        if (bodyCap <= 0) {
            throw new IllegalArgumentException("body cap must be positive: " + bodyCap);
        }
        return exchange(HttpMethod.GET, pathAndQuery, bodyCap);
    }

    /**
     * {@code GET pathAndQuery} whose 2xx body goes to {@code reader} piece by piece as it arrives, never held
     * whole (the status with peers of a large tailnet), counted against {@code bodyCap}; completes with what
     * the reader made or exceptionally with a {@link LocalApiException}.
     */
    public <T> CompletableFuture<T> get(String pathAndQuery, long bodyCap, BodyReader<T> reader) {
        if (bodyCap <= 0) {
            throw new IllegalArgumentException("body cap must be positive: " + bodyCap);
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            send(
                    HttpMethod.GET,
                    pathAndQuery,
                    () -> new StreamedResponseHandler<>(bodyCap, socket, reader, result),
                    result);
        } catch (RuntimeException e) { // e.g. the event loop is shutting down
            result.completeExceptionally(SocketErrorClassifier.classify(e, socket));
        }
        return result;
    }

    /**
     * {@code POST pathAndQuery} with an empty body (such as {@code /localapi/v0/ping?ip=...&type=disco}); completes
     * like {@link #get(String)}.
     */
    public CompletableFuture<LocalApiResponse> post(String pathAndQuery) {
        return exchange(HttpMethod.POST, pathAndQuery, maxBodySize);
    }

    private CompletableFuture<LocalApiResponse> exchange(HttpMethod method, String pathAndQuery, long bodyCap) {
        CompletableFuture<LocalApiResponse> result = new CompletableFuture<>();
        try {
            send(method, pathAndQuery, () -> new ResponseCollector(bodyCap, socket, result), result);
        } catch (RuntimeException e) { // e.g. the event loop is shutting down
            result.completeExceptionally(SocketErrorClassifier.classify(e, socket));
        }
        return result;
    }

    /**
     * {@code GET pathAndQuery} whose response does not end (such as {@code /localapi/v0/watch-ipn-bus?mask=N}):
     * each newline-delimited record goes to {@code records} on the event loop as it arrives (it must not block),
     * none may exceed {@code maxRecordSize} bytes. The timeout bounds connect to response head only; after that
     * the stream stays open until the daemon ends it, it fails, or the caller closes it. On its own connection,
     * beside the one-shot requests.
     */
    public LocalApiStream stream(String pathAndQuery, long maxRecordSize, Consumer<byte[]> records) {
        return stream(pathAndQuery, maxRecordSize, records, null);
    }

    /**
     * {@link #stream(String, long, Consumer)}, but a record over {@code maxRecordSize} is skipped (to its newline,
     * never held) and {@code oversized} is run on the event loop in its place, when it is not null; the stream
     * goes on ({@code /localapi/v0/logtap}, where one long line must not cost the rest).
     */
    public LocalApiStream stream(
            String pathAndQuery, long maxRecordSize, Consumer<byte[]> records, @Nullable Runnable oversized) {
        if (maxRecordSize <= 0) {
            throw new IllegalArgumentException("record size cap must be positive: " + maxRecordSize);
        }
        LocalApiStream stream = new LocalApiStream();
        try {
            EventLoop loop = group.next();
            ChannelFuture connect = new Bootstrap()
                    .group(loop)
                    .channel(transport.domainSocketChannel())
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline()
                                    .addLast(
                                            new HttpClientCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, MAX_CHUNK_SIZE),
                                            new RecordStreamHandler(maxRecordSize, socket, stream, records, oversized));
                        }
                    })
                    .connect(transport.domainSocketAddress(socket));
            stream.attach(connect.channel());
            ScheduledFuture<?> deadline = loop.schedule(
                    () -> stream.end(new LocalApiException(
                            Kind.TIMEOUT,
                            socket,
                            "no LocalAPI response head on " + socket + " for " + pathAndQuery + " within " + timeout)),
                    timeout.toNanos(),
                    TimeUnit.NANOSECONDS);
            stream.opened().whenComplete((v, failure) -> deadline.cancel(false));
            connect.addListener((ChannelFuture f) -> {
                if (!f.isSuccess()) {
                    stream.end(SocketErrorClassifier.classify(f.cause(), socket));
                    return;
                }
                f.channel().writeAndFlush(streamRequest(pathAndQuery)).addListener((ChannelFuture w) -> {
                    if (!w.isSuccess()) {
                        stream.end(SocketErrorClassifier.classify(w.cause(), socket));
                    }
                });
            });
        } catch (RuntimeException e) { // e.g. the event loop is shutting down
            stream.end(SocketErrorClassifier.classify(e, socket));
        }
        return stream;
    }

    private static FullHttpRequest streamRequest(String pathAndQuery) {
        FullHttpRequest request = request(HttpMethod.GET, pathAndQuery);
        request.headers().remove(HttpHeaderNames.CONNECTION); // keep-alive: the response is the stream
        return request;
    }

    private void send(
            HttpMethod method,
            String pathAndQuery,
            Supplier<ChannelHandler> responseHandler,
            CompletableFuture<?> result) {
        EventLoop loop = group.next();
        ChannelFuture connect = new Bootstrap()
                .group(loop)
                .channel(transport.domainSocketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(
                                        new HttpClientCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, MAX_CHUNK_SIZE),
                                        responseHandler.get());
                    }
                })
                .connect(transport.domainSocketAddress(socket));
        Channel channel = connect.channel();
        result.whenComplete((response, failure) -> channel.close());
        ScheduledFuture<?> deadline = loop.schedule(
                () -> {
                    result.completeExceptionally(new LocalApiException(
                            Kind.TIMEOUT,
                            socket,
                            "no complete LocalAPI response on " + socket + " for " + pathAndQuery + " within "
                                    + timeout));
                },
                timeout.toNanos(),
                TimeUnit.NANOSECONDS);
        result.whenComplete((response, failure) -> deadline.cancel(false));
        connect.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(SocketErrorClassifier.classify(f.cause(), socket));
                return;
            }
            f.channel().writeAndFlush(request(method, pathAndQuery)).addListener((ChannelFuture w) -> {
                if (!w.isSuccess()) {
                    result.completeExceptionally(SocketErrorClassifier.classify(w.cause(), socket));
                }
            });
        });
    }

    private static FullHttpRequest request(HttpMethod method, String pathAndQuery) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, pathAndQuery);
        if (method.equals(HttpMethod.POST)) {
            HttpUtil.setContentLength(request, 0);
        }
        request.headers()
                .set(HttpHeaderNames.HOST, LOCALAPI_HOST)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .set(HttpHeaderNames.ACCEPT, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.USER_AGENT, "derpwatch");
        return request;
    }
}
