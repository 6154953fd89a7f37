package io.derpwatch.sinks.otlp;

import io.opentelemetry.sdk.common.export.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import org.jspecify.annotations.Nullable;

/**
 * OTLP/HTTP (protobuf) for one sink, on the JDK's {@link HttpURLConnection}: the request is sent and its answer
 * read on the calling thread (the sink's delivery worker), over a kept-alive HTTP/1.1 connection the JDK reuses
 * for the next request to the same receiver. Chosen over {@code java.net.http.HttpClient} (the SDK's JDK sender)
 * for the footprint (docs/benchmarks.md): that client always builds the JVM's default TLS context, even for an
 * {@code http://} receiver (~1 000 classes and the parsed CA store on the heap), and keeps a selector thread per
 * client (the SDK sender: two clients with their worker pools). One request at a time per sink needs no HTTP/2.
 */
final class OtlpHttpSender {
    /** A receiver's answer is an empty or small Export*ServiceResponse; more than this is cut. */
    private static final int MAX_RESPONSE_BODY = 4 << 20;

    private final OtlpSettings settings;
    private final @Nullable SSLSocketFactory tls;

    OtlpHttpSender(OtlpSettings settings, @Nullable SSLContext ssl) {
        this.settings = settings;
        this.tls = ssl == null ? null : ssl.getSocketFactory();
    }

    /**
     * POSTs {@code payload} (an encoded Export*ServiceRequest) to {@code endpoint} and returns the answer.
     *
     * @throws IOException when no answer came (connection refused or reset, TLS failure, timeout)
     */
    HttpResponse send(URI endpoint, byte[] payload) throws IOException {
        byte[] body = settings.gzip() ? gzip(payload) : payload;
        HttpURLConnection c = (HttpURLConnection) endpoint.toURL().openConnection(Proxy.NO_PROXY);
        try {
            if (tls != null && c instanceof HttpsURLConnection https) {
                https.setSSLSocketFactory(tls);
            }
            int timeout = (int) Math.min(Integer.MAX_VALUE, settings.timeout().toMillis());
            c.setConnectTimeout(timeout);
            c.setReadTimeout(timeout);
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.setUseCaches(false);
            c.setInstanceFollowRedirects(false);
            c.setFixedLengthStreamingMode(body.length);
            c.setRequestProperty("Content-Type", "application/x-protobuf");
            if (settings.gzip()) {
                c.setRequestProperty("Content-Encoding", "gzip");
            }
            for (Map.Entry<String, String> h : settings.headers().entrySet()) {
                c.setRequestProperty(h.getKey(), h.getValue());
            }
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            }
            int status = c.getResponseCode();
            byte[] answer;
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            if (in == null) {
                answer = new byte[0];
            } else {
                // read to the end (within the cap) and close: that returns the connection to the keep-alive cache
                try (InputStream stream = in) {
                    answer = stream.readNBytes(MAX_RESPONSE_BODY);
                }
            }
            return new Answer(status, answer);
        } catch (IOException | RuntimeException e) {
            c.disconnect(); // a connection in an unknown state is not reused
            throw e;
        }
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
