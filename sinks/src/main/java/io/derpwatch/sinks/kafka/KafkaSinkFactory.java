package io.derpwatch.sinks.kafka;

import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.SettingsReader;
import io.derpwatch.config.SinkSettings;
import io.derpwatch.sinks.PayloadEncoding;
import io.derpwatch.sinks.Sink;
import io.derpwatch.sinks.SinkContext;
import io.derpwatch.sinks.SinkFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.jspecify.annotations.Nullable;

/** {@code type = kafka}: OTLP requests as Kafka messages, Collector-compatible. */
public final class KafkaSinkFactory implements SinkFactory<KafkaSettings> {
    private static final Pattern BROKER = Pattern.compile("(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9_.-]+):[0-9]{1,5}");
    private static final Set<String> OWNED = Set.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);

    @Override
    public String type() {
        return "kafka";
    }

    @Override
    public boolean supportsPersistentQueue() {
        return true;
    }

    @Override
    public @Nullable KafkaSettings createConfig(SinkSettings sink, List<ConfigProblem> problems) {
        int before = problems.size();
        SettingsReader r = sink.reader(problems);
        List<String> brokers = brokers(r);
        String metricsTopic = topic(r, "metrics-topic");
        String logsTopic = topic(r, "logs-topic");
        String encoding = r.oneOf("encoding", List.of("otlp_proto", "otlp_json"));
        String partitionBy = r.oneOf("partition-by", List.of("none", "node"));
        Duration timeout = r.duration("timeout", Duration.ofMillis(100));
        Map<String, String> producer = r.stringMap("producer");
        Set<String> known = ProducerConfig.configNames();
        for (String property : producer.keySet()) {
            if (OWNED.contains(property)) {
                r.problem(
                        "producer." + property,
                        "set by derpwatch (expected brokers = [...] for the bootstrap "
                                + "servers; serializers are fixed)");
            } else if (!known.contains(property)) {
                r.problem(
                        "producer." + property,
                        "unknown Kafka producer property (expected a name from the "
                                + "kafka-clients ProducerConfig, e.g. security.protocol, sasl.mechanism, sasl.jaas.config)");
            }
        }
        if (problems.size() > before) {
            return null;
        }
        KafkaSettings settings = new KafkaSettings(
                sink.name(),
                brokers,
                metricsTopic,
                logsTopic,
                encoding.equals("otlp_json") ? PayloadEncoding.OTLP_JSON : PayloadEncoding.OTLP_PROTO,
                partitionBy.equals("node"),
                timeout,
                producer);
        return settings;
    }

    @Override
    public Sink create(KafkaSettings settings, SinkContext context) {
        return new KafkaSink(settings);
    }

    private static List<String> brokers(SettingsReader r) {
        String fix = " (expected the bootstrap brokers as host:port, e.g. brokers = [\"kafka-0.kafka:9092\"])";
        List<String> brokers = new ArrayList<>();
        if (!r.has("brokers")) {
            r.problem("brokers", "missing" + fix);
            return brokers;
        }
        if (r.config().getValue("brokers").valueType() == com.typesafe.config.ConfigValueType.STRING) {
            for (String b : r.string("brokers").split(",")) {
                if (!b.isBlank()) {
                    brokers.add(b.strip());
                }
            }
        } else {
            brokers.addAll(r.stringList("brokers"));
        }
        if (brokers.isEmpty()) {
            r.problem("brokers", "missing: no broker given" + fix);
        }
        for (String b : brokers) {
            if (!BROKER.matcher(b).matches()) {
                r.problem("brokers", "bad broker address \"" + b + "\"" + fix);
            }
        }
        return brokers;
    }

    private static String topic(SettingsReader r, String key) {
        String topic = r.string(key);
        if (r.has(key) && !topic.matches("[A-Za-z0-9._-]{1,249}")) {
            r.problem(key, "bad topic name \"" + topic + "\" (expected 1-249 letters, digits, '.', '_' or '-')");
        }
        return topic;
    }
}
