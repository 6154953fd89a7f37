package io.derpwatch.sinks.otlp;

import java.util.Arrays;
import java.util.List;

/** The OTLP transports: gRPC (default port 4317) and HTTP with protobuf bodies (default port 4318). */
enum OtlpProtocol {
    GRPC("grpc", "http://localhost:4317"),
    HTTP_PROTOBUF("http/protobuf", "http://localhost:4318");

    final String configValue;
    final String defaultEndpoint;

    OtlpProtocol(String configValue, String defaultEndpoint) {
        this.configValue = configValue;
        this.defaultEndpoint = defaultEndpoint;
    }

    static List<String> configValues() {
        return Arrays.stream(values()).map(p -> p.configValue).toList();
    }

    static OtlpProtocol of(String value) {
        for (OtlpProtocol p : values()) {
            if (p.configValue.equals(value)) {
                return p;
            }
        }
        return null;
    }
}
