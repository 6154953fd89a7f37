package io.derpwatch.sinks.otlp;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * A validated OTLP sink configuration (config merged with the {@code OTEL_EXPORTER_OTLP_*} environment).
 * Header values are credentials: {@link #toString()} shows only their names.
 */
record OtlpSettings(
        String name,
        OtlpProtocol protocol,
        URI metricsEndpoint,
        URI logsEndpoint,
        Map<String, String> headers,
        boolean gzip,
        Duration timeout,
        TlsFiles tls) {
    OtlpSettings {
        headers = Map.copyOf(headers);
    }

    /** The endpoint without any user:password part, for messages. */
    static String display(URI endpoint) {
        if (endpoint == null || endpoint.getRawUserInfo() == null) {
            return String.valueOf(endpoint);
        }
        return endpoint.toString().replace(endpoint.getRawUserInfo() + "@", "[redacted]@");
    }

    @Override
    public String toString() {
        return "OtlpSettings[name=" + name + ", protocol=" + protocol.configValue + ", metrics="
                + display(metricsEndpoint) + ", logs=" + display(logsEndpoint) + ", headers=" + headers.keySet()
                + " (values redacted), gzip=" + gzip + ", timeout=" + timeout + ", tls=" + tls + "]";
    }
}
