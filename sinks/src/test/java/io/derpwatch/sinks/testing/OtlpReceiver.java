package io.derpwatch.sinks.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.SSLContext;

/**
 * A real OTLP receiver on loopback for tests: gRPC (grpc-java, {@code MetricsService}/{@code LogsService}) and
 * HTTP/protobuf ({@code /v1/metrics}, {@code /v1/logs}), both decoding with {@code opentelemetry-proto}. It can be
 * stopped and started again on the same ports (a receiver that is down refuses connections), made to answer
 * with an error status, and served over TLS or mTLS.
 */
public final class OtlpReceiver implements AutoCloseable {
    private final List<ExportMetricsServiceRequest> metrics = new CopyOnWriteArrayList<>();
    private final List<ExportLogsServiceRequest> logs = new CopyOnWriteArrayList<>();
    private final Map<String, String> lastHeaders = new ConcurrentHashMap<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile Status failureStatus = Status.UNAVAILABLE;
    private volatile int failureHttpCode = 503;
    private final Tls tls;
    private int grpcPort;
    private int httpPort;
    private Server grpc;
    private HttpServer http;

    /** Server certificate chain + key, and (for mTLS) the CA that client certificates must chain to. */
    public record Tls(File certChain, File key, File clientCa) {}

    private OtlpReceiver(Tls tls) {
        this.tls = tls;
    }

    public static OtlpReceiver start() throws IOException {
        return start(null);
    }

    public static OtlpReceiver start(Tls tls) throws IOException {
        OtlpReceiver r = new OtlpReceiver(tls);
        r.startServers();
        return r;
    }

    /**
     * Starts (again) on the same ports as before, or on free ports the first time. Ports are picked below the
     * kernel's ephemeral range (32768+), so a port freed by {@link #stopServers()} is not taken by some client
     * connection before the restart.
     */
    public synchronized void startServers() throws IOException {
        grpc = bind(grpcPort, this::startGrpc);
        grpcPort = grpc.getPort();
        http = bind(httpPort, this::startHttp);
        httpPort = http.getAddress().getPort();
    }

    private interface Binder<T> {
        T bind(int port) throws IOException;
    }

    private static <T> T bind(int fixedPort, Binder<T> binder) throws IOException {
        IOException last = null;
        for (int i = 0; i < 100; i++) {
            int port = fixedPort != 0 ? fixedPort : ThreadLocalRandom.current().nextInt(20_000, 32_000);
            try {
                return binder.bind(port);
            } catch (IOException e) {
                last = e;
                if (fixedPort != 0) {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw e;
                    }
                }
            }
        }
        throw last;
    }

    private Server startGrpc(int port) throws IOException {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .addService(new Metrics())
                .addService(new Logs())
                .intercept(new io.grpc.ServerInterceptor() {
                    @Override
                    public <Q, S> io.grpc.ServerCall.Listener<Q> interceptCall(
                            io.grpc.ServerCall<Q, S> call,
                            io.grpc.Metadata headers,
                            io.grpc.ServerCallHandler<Q, S> next) {
                        for (String k : headers.keys()) {
                            if (!k.endsWith("-bin")) {
                                lastHeaders.put(
                                        k,
                                        headers.get(
                                                io.grpc.Metadata.Key.of(k, io.grpc.Metadata.ASCII_STRING_MARSHALLER)));
                            }
                        }
                        return next.startCall(call, headers);
                    }
                });
        if (tls != null) {
            SslContextBuilder ssl = GrpcSslContexts.forServer(tls.certChain(), tls.key());
            if (tls.clientCa() != null) {
                ssl.trustManager(tls.clientCa()).clientAuth(ClientAuth.REQUIRE);
            }
            builder.sslContext(ssl.build());
        }
        return builder.build().start();
    }

    private HttpServer startHttp(int port) throws IOException {
        InetSocketAddress httpAddress = new InetSocketAddress("127.0.0.1", port);
        HttpServer server;
        if (tls != null) {
            HttpsServer https = HttpsServer.create(httpAddress, 16);
            SslContextBuilder ssl = SslContextBuilder.forServer(tls.certChain(), tls.key())
                    .sslProvider(io.netty.handler.ssl.SslProvider.JDK);
            if (tls.clientCa() != null) {
                ssl.trustManager(tls.clientCa());
            }
            SSLContext context = ((io.netty.handler.ssl.JdkSslContext) ssl.build()).context();
            boolean needClientAuth = tls.clientCa() != null;
            https.setHttpsConfigurator(new HttpsConfigurator(context) {
                @Override
                public void configure(HttpsParameters params) {
                    javax.net.ssl.SSLParameters p = getSSLContext().getDefaultSSLParameters();
                    p.setNeedClientAuth(needClientAuth);
                    params.setSSLParameters(p);
                }
            });
            server = https;
        } else {
            server = HttpServer.create(httpAddress, 16);
        }
        server.createContext("/v1/metrics", ex -> handleHttp(ex, true));
        server.createContext("/v1/logs", ex -> handleHttp(ex, false));
        server.start();
        return server;
    }

    /** Stops both servers; clients see connection refused until {@link #startServers()}. */
    public synchronized void stopServers() throws InterruptedException {
        if (grpc != null) {
            grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            grpc = null;
        }
        if (http != null) {
            http.stop(0);
            http = null;
        }
    }

    /** The next {@code count} requests are answered with {@code grpc} / {@code httpCode} and not recorded. */
    public void failNext(int count, Status grpcStatus, int httpCode) {
        this.failureStatus = grpcStatus;
        this.failureHttpCode = httpCode;
        failuresLeft.set(count);
    }

    public String grpcEndpoint() {
        return (tls != null ? "https" : "http") + "://127.0.0.1:" + grpcPort;
    }

    public String httpEndpoint() {
        return (tls != null ? "https" : "http") + "://127.0.0.1:" + httpPort;
    }

    public List<ExportMetricsServiceRequest> metrics() {
        return List.copyOf(metrics);
    }

    public List<ExportLogsServiceRequest> logs() {
        return List.copyOf(logs);
    }

    public Map<String, String> lastHeaders() {
        return Map.copyOf(lastHeaders);
    }

    /** The values of the string attribute {@code key} on every data point / log record received, in order. */
    public List<String> metricPointAttribute(String key) {
        List<String> out = new ArrayList<>();
        for (ExportMetricsServiceRequest req : metrics) {
            req.getResourceMetricsList()
                    .forEach(rm -> rm.getScopeMetricsList()
                            .forEach(sm -> sm.getMetricsList().forEach(m -> {
                                m.getGauge()
                                        .getDataPointsList()
                                        .forEach(p -> out.add(attr(p.getAttributesList(), key)));
                                m.getSum().getDataPointsList().forEach(p -> out.add(attr(p.getAttributesList(), key)));
                            })));
        }
        return out;
    }

    public List<String> logBodies() {
        List<String> out = new ArrayList<>();
        for (ExportLogsServiceRequest req : logs) {
            req.getResourceLogsList()
                    .forEach(rl -> rl.getScopeLogsList()
                            .forEach(sl -> sl.getLogRecordsList()
                                    .forEach(lr -> out.add(lr.getBody().getStringValue()))));
        }
        return out;
    }

    private static String attr(List<KeyValue> attributes, String key) {
        return attributes.stream()
                .filter(kv -> kv.getKey().equals(key))
                .map(KeyValue::getValue)
                .map(AnyValue::getStringValue)
                .findFirst()
                .orElse(null);
    }

    private boolean consumeFailure() {
        return failuresLeft.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }

    private void handleHttp(HttpExchange ex, boolean isMetrics) throws IOException {
        try (ex) {
            ex.getRequestHeaders().forEach((k, v) -> lastHeaders.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
            InputStream body = ex.getRequestBody();
            if ("gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding"))) {
                body = new GZIPInputStream(body);
            }
            byte[] bytes = body.readAllBytes();
            if (!"POST".equals(ex.getRequestMethod())
                    || !"application/x-protobuf".equals(ex.getRequestHeaders().getFirst("Content-Type"))) {
                ex.sendResponseHeaders(415, -1);
                return;
            }
            if (consumeFailure()) {
                ex.sendResponseHeaders(failureHttpCode, -1);
                return;
            }
            byte[] response;
            if (isMetrics) {
                metrics.add(ExportMetricsServiceRequest.parseFrom(bytes));
                response = ExportMetricsServiceResponse.getDefaultInstance().toByteArray();
            } else {
                logs.add(ExportLogsServiceRequest.parseFrom(bytes));
                response = ExportLogsServiceResponse.getDefaultInstance().toByteArray();
            }
            ex.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            ex.sendResponseHeaders(200, response.length == 0 ? -1 : response.length);
            if (response.length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(response);
                }
            }
        }
    }

    private final class Metrics extends MetricsServiceGrpc.MetricsServiceImplBase {
        @Override
        public void export(
                ExportMetricsServiceRequest request, StreamObserver<ExportMetricsServiceResponse> responseObserver) {
            if (consumeFailure()) {
                responseObserver.onError(
                        failureStatus.withDescription("test receiver refuses").asRuntimeException());
                return;
            }
            metrics.add(request);
            responseObserver.onNext(ExportMetricsServiceResponse.getDefaultInstance());
            responseObserver.onCompleted();
        }
    }

    private final class Logs extends LogsServiceGrpc.LogsServiceImplBase {
        @Override
        public void export(
                ExportLogsServiceRequest request, StreamObserver<ExportLogsServiceResponse> responseObserver) {
            if (consumeFailure()) {
                responseObserver.onError(
                        failureStatus.withDescription("test receiver refuses").asRuntimeException());
                return;
            }
            logs.add(request);
            responseObserver.onNext(ExportLogsServiceResponse.getDefaultInstance());
            responseObserver.onCompleted();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopServers();
    }
}
