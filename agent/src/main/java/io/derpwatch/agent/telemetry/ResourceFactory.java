package io.derpwatch.agent.telemetry;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.sdk.resources.Resource;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Builds the {@link Resource} every signal carries: {@code service.name=derpwatch}, {@code service.version},
 * {@code host.name}, the Kubernetes attributes from the Downward API env ({@code K8S_NODE_NAME},
 * {@code K8S_POD_NAME}, {@code K8S_NAMESPACE}), then {@code OTEL_RESOURCE_ATTRIBUTES}, {@code OTEL_SERVICE_NAME}
 * and finally {@code derpwatch.telemetry.resource-attributes}, each later one winning.
 */
public final class ResourceFactory {
    private final Map<String, String> env;

    public ResourceFactory(Map<String, String> env) {
        this.env = env;
    }

    public Resource create(Map<String, String> configured) {
        AttributesBuilder b = Attributes.builder();
        b.put("service.name", "derpwatch");
        b.put("service.version", version());
        b.put("host.name", hostName());
        putIfSet(b, "k8s.node.name", env.get("K8S_NODE_NAME"));
        putIfSet(b, "k8s.pod.name", env.get("K8S_POD_NAME"));
        putIfSet(b, "k8s.namespace.name", env.get("K8S_NAMESPACE"));
        parseOtelResourceAttributes(env.get("OTEL_RESOURCE_ATTRIBUTES")).forEach(b::put);
        putIfSet(b, "service.name", env.get("OTEL_SERVICE_NAME"));
        configured.forEach(b::put);
        return Resource.getDefault().merge(Resource.create(b.build()));
    }

    /** The version in the jar's manifest, or {@code dev} when running from classes. */
    public static String version() {
        String v = ResourceFactory.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** {@code key1=value1,key2=value2} with percent-encoded values, as the OpenTelemetry spec defines it. */
    static Map<String, String> parseOtelResourceAttributes(String raw) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        if (raw == null || raw.isBlank()) {
            return out;
        }
        for (String pair : raw.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                continue; // the spec says to ignore malformed entries
            }
            String key = pair.substring(0, eq).trim();
            String value = pair.substring(eq + 1).trim();
            try {
                value = URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                // keep the raw value when it is not valid percent-encoding
            }
            out.put(key, value);
        }
        return out;
    }

    private String hostName() {
        String fromEnv = env.get("HOSTNAME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.trim();
        }
        try {
            String name = Files.readString(Path.of("/etc/hostname")).trim();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (java.io.IOException | RuntimeException e) {
            // fall through
        }
        return "unknown";
    }

    private static void putIfSet(AttributesBuilder b, String key, String value) {
        if (value != null && !value.isBlank()) {
            b.put(key, value);
        }
    }
}
