package io.derpwatch.sinks.otlp;

import io.derpwatch.sinks.Batch;
import io.derpwatch.sinks.DeliveryException;
import io.derpwatch.sinks.PayloadEncoding;
import io.derpwatch.sinks.Signal;
import io.derpwatch.sinks.Sink;
import io.opentelemetry.sdk.common.export.GrpcResponse;
import io.opentelemetry.sdk.common.export.GrpcStatusCode;
import io.opentelemetry.sdk.common.export.HttpResponse;
import io.opentelemetry.sdk.common.export.MessageWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * Sends OTLP requests to a collector: gRPC through {@link GrpcJavaSender} (grpc-java, one channel for both
 * services), or HTTP/protobuf through {@link OtlpHttpSender} (the JDK's {@code HttpURLConnection}, kept alive), with
 * bytes the delivery queue already encoded, so no system property picks the sender.
 */
final class OtlpSink implements Sink {
    /** OTLP spec: retryable gRPC codes. */
    private static final Set<GrpcStatusCode> RETRYABLE_GRPC = EnumSet.of(
            GrpcStatusCode.CANCELLED,
            GrpcStatusCode.DEADLINE_EXCEEDED,
            GrpcStatusCode.RESOURCE_EXHAUSTED,
            GrpcStatusCode.ABORTED,
            GrpcStatusCode.OUT_OF_RANGE,
            GrpcStatusCode.UNAVAILABLE,
            GrpcStatusCode.DATA_LOSS);
    /** OTLP spec: retryable HTTP statuses. */
    private static final Set<Integer> RETRYABLE_HTTP = Set.of(429, 502, 503, 504);

    private final OtlpSettings settings;
    private final Sender metrics;
    private final Sender logs;

    OtlpSink(OtlpSettings settings) {
        this.settings = settings;
        SSLContext ssl;
        try {
            ssl = settings.tls().configured() ? settings.tls().sslContext() : null;
        } catch (SSLException e) {
            throw new IllegalStateException(
                    "sink " + settings.name() + ": cannot load TLS files: " + e.getMessage(), e);
        }
        Map<String, List<String>> headers = settings.headers().entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> List.of(e.getValue())));
        if (settings.protocol() == OtlpProtocol.GRPC) {
            GrpcJavaSender grpcMetrics = new GrpcJavaSender(grpcConfig(
                    settings,
                    settings.metricsEndpoint(),
                    "opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
                    headers,
                    ssl));
            OtlpSenderConfig logsConfig = grpcConfig(
                    settings,
                    settings.logsEndpoint(),
                    "opentelemetry.proto.collector.logs.v1.LogsService/Export",
                    headers,
                    ssl);
            // one channel (one connection, one Netty worker) for both services when they go to one receiver
            boolean shared = settings.logsEndpoint().equals(settings.metricsEndpoint());
            GrpcJavaSender grpcLogs = shared ? grpcMetrics.sibling(logsConfig) : new GrpcJavaSender(logsConfig);
            this.metrics = new Sender(
                    settings.metricsEndpoint(),
                    (w, ok, err) -> grpcMetrics.send(w, r -> ok.accept(r), err),
                    grpcMetrics::shutdown);
            this.logs = new Sender(
                    settings.logsEndpoint(),
                    (w, ok, err) -> grpcLogs.send(w, r -> ok.accept(r), err),
                    shared ? () -> {} : grpcLogs::shutdown);
        } else {
            // one sender for both endpoints
            OtlpHttpSender http = new OtlpHttpSender(settings, ssl);
            this.metrics =
                    new Sender(settings.metricsEndpoint(), httpTransport(http, settings.metricsEndpoint()), () -> {});
            this.logs = new Sender(settings.logsEndpoint(), httpTransport(http, settings.logsEndpoint()), () -> {});
        }
    }

    private static OtlpSenderConfig grpcConfig(
            OtlpSettings s, URI endpoint, String method, Map<String, List<String>> headers, SSLContext ssl) {
        return new OtlpSenderConfig(endpoint, method, "application/grpc", s.gzip(), s.timeout(), headers, ssl);
    }

    /** Sends on the calling thread (the delivery worker): the outcome is there when the call returns. */
    private static Transport httpTransport(OtlpHttpSender http, URI endpoint) {
        return (w, ok, err) -> {
            ByteArrayOutputStream body = new ByteArrayOutputStream(w.getContentLength());
            try {
                w.writeMessage(body);
                ok.accept(http.send(endpoint, body.toByteArray()));
            } catch (IOException | RuntimeException e) {
                err.accept(e);
            }
        };
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public PayloadEncoding encoding() {
        return PayloadEncoding.OTLP_PROTO;
    }

    @Override
    public void send(Batch batch) throws DeliveryException {
        Sender sender = batch.signal() == Signal.METRICS ? metrics : logs;
        String where = OtlpSettings.display(sender.endpoint);
        CompletableFuture<Object> result = new CompletableFuture<>();
        byte[] payload = batch.payload();
        sender.transport.send(
                new MessageWriter() {
                    @Override
                    public void writeMessage(OutputStream output) throws IOException {
                        output.write(payload);
                    }

                    @Override
                    public int getContentLength() {
                        return payload.length;
                    }
                },
                result::complete,
                result::complete);
        Object outcome;
        try {
            outcome = result.get(settings.timeout().toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryException("interrupted while sending to " + where, true, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new DeliveryException("no answer from " + where + " within " + settings.timeout(), true, e);
        }
        check(where, outcome);
    }

    private static void check(String endpoint, Object outcome) throws DeliveryException {
        if (outcome instanceof GrpcResponse r) {
            if (r.getStatusCode() == GrpcStatusCode.OK) {
                return;
            }
            boolean transport = r instanceof GrpcJavaSender.Response g && g.transportFailure();
            boolean retryable = transport || RETRYABLE_GRPC.contains(r.getStatusCode());
            throw new DeliveryException(
                    endpoint + ": "
                            + (r.getStatusDescription() != null
                                    ? r.getStatusDescription()
                                    : r.getStatusCode().name())
                            + hintFor(r.getStatusDescription())
                            + (transport && r.getStatusCode() != GrpcStatusCode.UNAVAILABLE ? NOT_GRPC_HINT : ""),
                    retryable);
        }
        if (outcome instanceof HttpResponse r) {
            int code = r.getStatusCode();
            if (code >= 200 && code < 300) {
                return;
            }
            String body =
                    new String(r.getResponseBody() == null ? new byte[0] : r.getResponseBody(), StandardCharsets.UTF_8);
            body = body.length() > 200 ? body.substring(0, 200) + "..." : body;
            throw new DeliveryException(
                    endpoint + ": HTTP " + code + (body.isBlank() ? "" : " " + body.strip()),
                    RETRYABLE_HTTP.contains(code));
        }
        Throwable t = (Throwable) outcome;
        throw new DeliveryException(endpoint + ": " + describe(t), true, t);
    }

    private static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder(t.getClass().getSimpleName());
        if (t.getMessage() != null) {
            sb.append(": ").append(t.getMessage());
        } else if (t instanceof java.net.ConnectException) {
            sb.append(": connection refused (is the receiver running and the endpoint right?)");
        }
        boolean tls = false;
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            tls |= c instanceof SSLException;
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
                sb.append(" (")
                        .append(c.getClass().getSimpleName())
                        .append(": ")
                        .append(c.getMessage())
                        .append(')');
            }
        }
        tls |= t instanceof SSLException;
        return sb + (tls ? TLS_HINT : "");
    }

    private static final String TLS_HINT = " - TLS handshake failed: check tls.ca-file (the CA that signed the "
            + "receiver's certificate), tls.cert-file/key-file for mTLS, and that the endpoint host name is in the "
            + "certificate";

    private static final String NOT_GRPC_HINT = " - the endpoint may not speak gRPC (an HTTP/1.1 server, or "
            + "OTLP/HTTP's port 4318 with protocol = grpc?); retrying";

    private static String hintFor(String description) {
        if (description != null
                && (description.contains("SSL")
                        || description.contains("PKIX")
                        || description.contains("certificate")
                        || description.contains("handshake"))) {
            return TLS_HINT;
        }
        return "";
    }

    @Override
    public void close() {
        metrics.shutdown.run();
        logs.shutdown.run();
    }

    @Override
    public String toString() {
        return "OtlpSink[" + settings + "]";
    }

    private interface Transport {
        void send(MessageWriter writer, Consumer<Object> onResponse, Consumer<Throwable> onError);
    }

    private record Sender(URI endpoint, Transport transport, Runnable shutdown) {}
}
