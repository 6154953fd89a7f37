package io.derpwatch.sinks.otlp;

import io.opentelemetry.sdk.common.export.Compressor;
import io.opentelemetry.sdk.common.export.GrpcSenderConfig;
import io.opentelemetry.sdk.common.export.HttpSenderConfig;
import io.opentelemetry.sdk.common.export.ProxyOptions;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;

/**
 * What the SDK's sender SPI needs to build one sender (one endpoint, one signal). No retry policy: the sink's
 * delivery worker retries, with its own backoff and counts.
 */
record OtlpSenderConfig(
        URI endpoint,
        String fullMethodName,
        String contentType,
        boolean gzip,
        Duration timeout,
        Map<String, List<String>> headers,
        SSLContext sslContext)
        implements HttpSenderConfig, GrpcSenderConfig {

    static final Compressor GZIP = new Compressor() {
        @Override
        public String getEncoding() {
            return "gzip";
        }

        @Override
        public OutputStream compress(OutputStream outputStream) throws IOException {
            return new GZIPOutputStream(outputStream);
        }
    };

    @Override
    public URI getEndpoint() {
        return endpoint;
    }

    @Override
    public String getFullMethodName() {
        return fullMethodName;
    }

    @Override
    public String getContentType() {
        return contentType;
    }

    @Override
    public Compressor getCompressor() {
        return gzip ? GZIP : null;
    }

    @Override
    public Duration getTimeout() {
        return timeout;
    }

    @Override
    public Duration getConnectTimeout() {
        return timeout;
    }

    @Override
    public Supplier<Map<String, List<String>>> getHeadersSupplier() {
        return () -> headers;
    }

    @Override
    public ProxyOptions getProxyOptions() {
        return null;
    }

    @Override
    public RetryPolicy getRetryPolicy() {
        return null;
    }

    @Override
    public SSLContext getSslContext() {
        return sslContext;
    }

    @Override
    public X509TrustManager getTrustManager() {
        return null;
    }

    @Override
    public ExecutorService getExecutorService() {
        return null;
    }

    @Override
    public long getMaxResponseBodySize() {
        return 4L << 20;
    }

    @Override
    public List<String> getEnabledProtocols() {
        return null;
    }

    @Override
    public String toString() {
        return "OtlpSenderConfig[" + endpoint + ", headers=" + headers.keySet() + "]";
    }
}
