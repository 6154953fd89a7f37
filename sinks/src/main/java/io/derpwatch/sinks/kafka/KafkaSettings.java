package io.derpwatch.sinks.kafka;

import io.derpwatch.sinks.PayloadEncoding;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A validated Kafka sink configuration. {@code producer} may hold credentials (SASL JAAS config, key store
 * passwords): {@link #toString()} redacts them.
 */
record KafkaSettings(
        String name,
        List<String> brokers,
        String metricsTopic,
        String logsTopic,
        PayloadEncoding encoding,
        boolean partitionByNode,
        Duration timeout,
        Map<String, String> producer) {
    private static final Pattern SECRET = Pattern.compile("(?i).*(password|secret|jaas|token|credential|key\\b).*");

    KafkaSettings {
        brokers = List.copyOf(brokers);
        producer = Map.copyOf(producer);
    }

    static boolean secret(String property) {
        return SECRET.matcher(property).matches() || property.endsWith(".key");
    }

    @Override
    public String toString() {
        String props = producer.entrySet().stream()
                .map(e -> e.getKey() + "=" + (secret(e.getKey()) ? "[redacted]" : e.getValue()))
                .sorted()
                .collect(Collectors.joining(", ", "{", "}"));
        return "KafkaSettings[name=" + name + ", brokers=" + brokers + ", metricsTopic=" + metricsTopic
                + ", logsTopic=" + logsTopic + ", encoding=" + encoding + ", partitionByNode=" + partitionByNode
                + ", timeout=" + timeout + ", producer=" + props + "]";
    }
}
