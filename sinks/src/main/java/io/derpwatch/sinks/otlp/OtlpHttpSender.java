package io.derpwatch.sinks.otlp;

import io.opentelemetry.sdk.common.export.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * OTLP/HTTP (protobuf) for one sink over ONE JDK {@link HttpClient}, shared by its metrics and logs endpoints.
 * The request is sent and its answer read on the calling thread (the sink's delivery worker), and the client's
 * asynchronous steps run on its own selector thread ({@link #DIRECT}), so the sink costs one JDK thread
 * ({@code HttpClient-N-SelectorManager}) instead of the SDK sender's two clients with their worker pools and
 * executors (docs/benchmarks.md: 8 threads fewer). HTTP/1.1 with keep-alive: one request at a time per sink
 * needs no multiplexing, and the HTTP/2 stack's classes stay unloaded.
 */
final class OtlpHttpSender {
    /** Runs the client's dependent tasks where they complete: they only hand bytes and results on. */
    private static final Executor DIRECT = Runnable::run;
    /** A receiver's answer is an empty or small Export*ServiceResponse; more than this is cut. */
    private static final int MAX_RESPONSE_BODY = 4 << 20;

    private final HttpClient client;
    private final OtlpSettings settings;

    OtlpHttpSender(OtlpSettings settings, @Nullable SSLContext ssl) {
        this.settings = settings;
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.timeout())
                .executor(DIRECT);
        if (ssl != null) {
            builder.sslContext(ssl);
        }
        this.client = builder.build();
    }

    /**
     * POSTs {@code payload} (an encoded Export*ServiceRequest) to {@code endpoint} and returns the answer.
     *
     * @throws IOException when no answer came (connection refused or reset, TLS failure, timeout)
     */
    HttpResponse send(URI endpoint, byte[] payload) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(settings.timeout())
                .header("Content-Type", "application/x-protobuf");
        for (Map.Entry<String, String> h : settings.headers().entrySet()) {
            request.header(h.getKey(), h.getValue());
        }
        byte[] body = payload;
        if (settings.gzip()) {
            request.header("Content-Encoding", "gzip");
            body = gzip(payload);
        }
        java.net.http.HttpResponse<InputStream> response = client.send(
                request.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        byte[] answer;
        try (InputStream in = response.body()) {
            answer = in.readNBytes(MAX_RESPONSE_BODY);
        }
        return new Answer(response.statusCode(), answer);
    }

    private static byte[] gzip(byte[] payload) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, payload.length / 4));
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(payload);
        }
        return out.toByteArray();
    }

    /** The receiver's answer, as the SDK's sender SPI describes one. */
    private record Answer(int getStatusCode, byte[] getResponseBody) implements HttpResponse {
        @Override
        public String getStatusMessage() {
            return String.valueOf(getStatusCode);
        }

        @Override
        public String toString() {
            return "HTTP " + getStatusCode;
        }
    }

    @Override
    public String toString() {
        return "OtlpHttpSender[" + settings.name() + "]";
    }
}
