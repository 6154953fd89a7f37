package io.derpwatch.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsLoader;
import io.derpwatch.lab.LocalApiEmulator;
import io.derpwatch.sinks.SinkContext;
import io.derpwatch.sinks.runtime.SinkCatalog;
import io.derpwatch.sinks.testing.KafkaTestBroker;
import io.derpwatch.sinks.testing.OtlpReceiver;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent with an OTLP sink and a Kafka sink at once, against a real OTLP gRPC receiver and a real KRaft
 * broker in this JVM: both backends get the same home-connection data.
 */
class AgentSinksEndToEndTest {
    private static KafkaClusterTestKit kafka;

    @TempDir
    Path dir;

    private LocalApiEmulator lab;
    private OtlpReceiver receiver;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = KafkaTestBroker.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        kafka.close();
    }

    @BeforeEach
    void start() throws Exception {
        lab = LocalApiEmulator.start(dir.resolve("tailscaled.sock"));
        receiver = OtlpReceiver.start();
    }

    @AfterEach
    void stop() throws Exception {
        receiver.close();
        lab.close();
    }

    private static NumberDataPoint homeConnection(ExportMetricsServiceRequest request) {
        return request.getResourceMetricsList().stream()
                .flatMap(rm -> rm.getScopeMetricsList().stream())
                .flatMap(sm -> sm.getMetricsList().stream())
                .filter(m -> m.getName().equals("tailscale.derp.home_connection"))
                .map(Metric::getGauge)
                .flatMap(g -> g.getDataPointsList().stream())
                .findFirst()
                .orElse(null);
    }

    private static List<ConsumerRecord<byte[], byte[]>> consume(String topic, int atLeast) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                return out.size() >= atLeast;
            });
        }
        return out;
    }

    @Test
    void runOnce_fails_whenTheBackendCannotBeReached() throws Exception {
        receiver.stopServers();
        Path conf = Files.writeString(
                dir.resolve("down.conf"),
                "derpwatch {\n"
                        + "  localapi.socket = \"" + lab.socket() + "\"\n"
                        + "  netcheck.enabled = false\n"
                        + "  admin.enabled = false\n"
                        + "  sinks.stdout.enabled = false\n"
                        + "  sinks.backend { type = otlp, endpoint = \"" + receiver.grpcEndpoint()
                        + "\", retry.initial = 100ms }\n"
                        + "}\n");
        List<SinkCatalog.ConfiguredSink> sinks = new ArrayList<>();
        SinkCatalog catalog = SinkCatalog.load();
        DerpwatchSettings settings = SettingsLoader.with(Map.of(), new Properties())
                .load(conf, (all, problems) -> sinks.addAll(catalog.configure(all, problems)));

        try (Agent agent = Agent.start(settings, sinks, SinkContext.forProcess(), Agent.Mode.ONCE, Map.of())) {
            assertThat(agent.runOnce(Duration.ofSeconds(3))).isFalse();
        }
    }

    @Test
    void runOnce_deliversTheSameHomeConnectionToOtlpAndKafka() throws Exception {
        String topicSuffix = UUID.randomUUID().toString().substring(0, 8);
        Path conf = Files.writeString(
                dir.resolve("agent.conf"),
                "derpwatch {\n"
                        + "  localapi.socket = \"" + lab.socket() + "\"\n"
                        + "  netcheck.enabled = false\n"
                        + "  admin.enabled = false\n"
                        + "  sinks {\n"
                        + "    stdout.enabled = false\n"
                        + "    backend { type = otlp, protocol = grpc, endpoint = \"" + receiver.grpcEndpoint()
                        + "\" }\n"
                        + "    bus {\n"
                        + "      type = kafka\n"
                        + "      brokers = [\"" + kafka.bootstrapServers() + "\"]\n"
                        + "      metrics-topic = metrics-" + topicSuffix + "\n"
                        + "      logs-topic = logs-" + topicSuffix + "\n"
                        + "      partition-by = node\n"
                        + "    }\n"
                        + "  }\n"
                        + "}\n");
        List<SinkCatalog.ConfiguredSink> sinks = new ArrayList<>();
        SinkCatalog catalog = SinkCatalog.load();
        DerpwatchSettings settings = SettingsLoader.with(Map.of(), new Properties())
                .load(conf, (all, problems) -> sinks.addAll(catalog.configure(all, problems)));
        assertThat(sinks).extracting(s -> s.settings().name()).containsExactlyInAnyOrder("backend", "bus");

        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        try (Agent agent = Agent.start(
                settings,
                sinks,
                new SinkContext(new PrintStream(stdout, true, StandardCharsets.UTF_8)),
                Agent.Mode.ONCE,
                Map.of("HOSTNAME", "node-7"))) {
            assertThat(agent.runOnce(Duration.ofSeconds(60))).isTrue();
        }

        assertThat(stdout.size()).as("stdout sink is disabled").isZero();
        ExportMetricsServiceRequest viaOtlp = receiver.metrics().stream()
                .filter(r -> homeConnection(r) != null)
                .findFirst()
                .orElseThrow();
        List<ConsumerRecord<byte[], byte[]>> records = consume("metrics-" + topicSuffix, 1);
        ExportMetricsServiceRequest viaKafka =
                ExportMetricsServiceRequest.parseFrom(records.get(0).value());

        assertThat(homeConnection(viaOtlp).getAsInt()).isEqualTo(1);
        assertThat(homeConnection(viaKafka)).isEqualTo(homeConnection(viaOtlp));
        assertThat(viaKafka.getResourceMetrics(0).getResource())
                .isEqualTo(viaOtlp.getResourceMetrics(0).getResource());
        assertThat(new String(records.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("node-7");

        ExportLogsServiceRequest eventsViaKafka = ExportLogsServiceRequest.parseFrom(
                consume("logs-" + topicSuffix, 1).get(0).value());
        // the backend state's first change event may come in the same batch
        assertThat(eventsViaKafka.getResourceLogs(0).getScopeLogs(0).getLogRecordsList())
                .extracting(r -> r.getEventName())
                .contains("tailscale.derp.home_connection.changed");
        assertThat(receiver.logs()).isNotEmpty();
        assertThat(receiver.logs().stream()
                        .flatMap(r -> r.getResourceLogs(0).getScopeLogs(0).getLogRecordsList().stream())
                        .map(r -> r.getEventName()))
                .contains("tailscale.derp.home_connection.changed");
    }
}
