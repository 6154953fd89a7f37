package io.derpwatch.sinks.kafka;

import static io.derpwatch.sinks.testing.TestData.metricBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.derpwatch.sinks.DropReason;
import io.derpwatch.sinks.SinkStats;
import io.derpwatch.sinks.runtime.SinkSet;
import io.derpwatch.sinks.testing.KafkaTestBroker;
import io.derpwatch.sinks.testing.TestSinks;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.test.JaasUtils;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SASL/PLAIN through {@code producer { ... }} pass-through, against a real broker that requires it. */
class KafkaSaslTest {
    private static KafkaClusterTestKit cluster;
    private SinkSet sinks;

    @BeforeAll
    static void startBroker() throws Exception {
        cluster = KafkaTestBroker.start(new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .setBrokerListenerName(ListenerName.normalised("EXTERNAL"))
                .setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                .setControllerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                .build());
    }

    @AfterAll
    static void stopBroker() throws Exception {
        cluster.close();
    }

    @AfterEach
    void closeSinks() {
        if (sinks != null) {
            sinks.shutdown(Duration.ofSeconds(2));
        }
    }

    private static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user + "\" password=\""
                + password + "\";";
    }

    private void open(String topic, String password) {
        sinks = TestSinks.open(TestSinks.settings(
                "kafka-sasl",
                "kafka",
                "brokers = \"" + cluster.bootstrapServers()
                        + "\"\nmetrics-topic = " + topic + "\n" + TestSinks.FAST_RETRY + "producer {\n"
                        + "  \"security.protocol\" = SASL_PLAINTEXT\n  \"sasl.mechanism\" = PLAIN\n"
                        + "  \"sasl.jaas.config\" = \"\"\"" + jaas(JaasUtils.KAFKA_PLAIN_ADMIN, password)
                        + "\"\"\"\n}\n"));
    }

    private SinkStats stats() {
        return sinks.stats().get(0);
    }

    @Test
    void saslPlain_credentialsPassedThroughTheProducerBlock_deliver() throws Exception {
        open("sasl_metrics", JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD);
        sinks.metricExporter().export(metricBatch(7));
        await().atMost(Duration.ofSeconds(30)).until(() -> stats().exported() == 1);

        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                cluster.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                "sasl-test",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                CommonClientConfigs.SECURITY_PROTOCOL_CONFIG,
                "SASL_PLAINTEXT",
                SaslConfigs.SASL_MECHANISM,
                "PLAIN",
                SaslConfigs.SASL_JAAS_CONFIG,
                jaas(JaasUtils.KAFKA_PLAIN_ADMIN, JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD));
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("sasl_metrics"));
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return !records.isEmpty();
            });
        }
        assertThat(records)
                .singleElement()
                .satisfies(r -> assertThat(ExportMetricsServiceRequest.parseFrom(r.value())
                                .getResourceMetrics(0)
                                .getScopeMetrics(0)
                                .getMetrics(0)
                                .getGauge()
                                .getDataPoints(0)
                                .getAsInt())
                        .isEqualTo(7));
    }

    @Test
    void saslPlain_wrongPassword_isRefused_droppedAsRejected_withoutShowingTheSecret() {
        open("sasl_metrics_denied", "not-the-password");
        sinks.metricExporter().export(metricBatch(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> stats().dropped(DropReason.REJECTED) == 1);
        assertThat(stats().exported()).isZero();
        assertThat(stats().lastError()).containsIgnoringCase("authentication").doesNotContain("not-the-password");
    }
}
