package io.derpwatch.sinks.kafka;

import static io.derpwatch.sinks.testing.TestData.SEQ;
import static io.derpwatch.sinks.testing.TestData.metricBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.derpwatch.sinks.SinkStats;
import io.derpwatch.sinks.runtime.SinkSet;
import io.derpwatch.sinks.testing.KafkaTestBroker;
import io.derpwatch.sinks.testing.OtlpReceiver;
import io.derpwatch.sinks.testing.TestData;
import io.derpwatch.sinks.testing.TestSinks;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against a real single-node KRaft broker started in this JVM (kafka 4.3.1 test kit). */
class KafkaSinkTest {
    private static KafkaClusterTestKit cluster;
    private SinkSet sinks;

    @BeforeAll
    static void startBroker() throws Exception {
        cluster = KafkaTestBroker.start();
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

    private static void createTopics(String... topics) throws Exception {
        try (Admin admin = cluster.admin()) {
            List<NewTopic> newTopics = new ArrayList<>();
            for (String t : topics) {
                newTopics.add(new NewTopic(t, 1, (short) 1));
            }
            admin.createTopics(newTopics).all().get();
        }
    }

    private SinkSet open(String metricsTopic, String logsTopic, String extra) {
        sinks = TestSinks.open(TestSinks.settings(
                "kafka-test",
                "kafka",
                "brokers = \"" + cluster.bootstrapServers()
                        + "\"\nmetrics-topic = " + metricsTopic + "\nlogs-topic = " + logsTopic + "\n"
                        + TestSinks.FAST_RETRY
                        + extra));
        return sinks;
    }

    private SinkStats stats() {
        return sinks.stats().get(0);
    }

    /** Reads the whole topic from the start until {@code expected} messages came, then one more second. */
    private static List<ConsumerRecord<byte[], byte[]>> consume(String topic, int expected) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                cluster.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            long extraUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, extraUntil)) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                if (out.size() >= expected && extraUntil == Long.MAX_VALUE) {
                    extraUntil = System.nanoTime() + Duration.ofSeconds(1).toNanos();
                }
            }
        }
        return out;
    }

    private static List<String> seqs(List<ConsumerRecord<byte[], byte[]>> records) throws Exception {
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            ExportMetricsServiceRequest req = ExportMetricsServiceRequest.parseFrom(r.value());
            req.getResourceMetricsList()
                    .forEach(rm -> rm.getScopeMetricsList()
                            .forEach(sm -> sm.getMetricsList()
                                    .forEach(m -> m.getGauge()
                                            .getDataPointsList()
                                            .forEach(p -> p.getAttributesList().stream()
                                                    .filter(kv -> kv.getKey().equals(SEQ))
                                                    .map(KeyValue::getValue)
                                                    .forEach(v -> out.add(v.getStringValue()))))));
        }
        return out;
    }

    @Test
    void delivers_oneOtlpProtoRequestPerMessage_keyedByNode() throws Exception {
        createTopics("m1", "l1");
        open("m1", "l1", "partition-by = node\n");
        for (int i = 0; i < 3; i++) {
            sinks.metricExporter().export(metricBatch(i));
        }
        SdkLoggerProvider logs = TestData.loggerProvider(sinks.logExporter());
        TestData.emitLog(logs, "event-a");
        TestData.emitLog(logs, "event-b");
        await().atMost(Duration.ofSeconds(20)).until(() -> stats().exported() == 5);

        List<ConsumerRecord<byte[], byte[]>> metrics = consume("m1", 3);
        assertThat(seqs(metrics)).containsExactly("0", "1", "2");
        assertThat(metrics)
                .allSatisfy(r ->
                        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("node-7"));
        List<String> bodies = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : consume("l1", 2)) {
            ExportLogsServiceRequest req = ExportLogsServiceRequest.parseFrom(r.value());
            req.getResourceLogsList()
                    .forEach(rl -> rl.getScopeLogsList()
                            .forEach(sl -> sl.getLogRecordsList()
                                    .forEach(lr -> bodies.add(lr.getBody().getStringValue()))));
        }
        assertThat(bodies).containsExactly("event-a", "event-b");
        assertThat(stats().droppedTotal()).isZero();
    }

    @Test
    void otlpAndKafkaSinksTogether_receiveTheSameBatches_fromTheRealSdk() throws Exception {
        createTopics("m4", "l4");
        try (OtlpReceiver receiver = OtlpReceiver.start()) {
            sinks = TestSinks.open(
                    TestSinks.settings(
                            "kafka-test",
                            "kafka",
                            "brokers = \"" + cluster.bootstrapServers() + "\"\nmetrics-topic = m4\nlogs-topic = l4\n"),
                    TestSinks.settings("otlp-test", "otlp", "endpoint = \"" + receiver.grpcEndpoint() + "\""));
            SdkMeterProvider meters = SdkMeterProvider.builder()
                    .setResource(TestData.RESOURCE)
                    .registerMetricReader(PeriodicMetricReader.builder(sinks.metricExporter())
                            .setInterval(Duration.ofHours(1))
                            .build())
                    .build();
            AtomicLong value = new AtomicLong();
            meters.get("io.derpwatch")
                    .gaugeBuilder("tailscale.derp.home_connection")
                    .ofLongs()
                    .buildWithCallback(m -> m.record(
                            value.get(), Attributes.of(AttributeKey.stringKey(SEQ), Long.toString(value.get()))));
            for (int i = 0; i < 3; i++) {
                value.set(i);
                meters.forceFlush().join(5, TimeUnit.SECONDS);
            }
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> sinks.stats().stream().allMatch(s -> s.exported() == 3));

            assertThat(seqs(consume("m4", 3))).containsExactly("0", "1", "2");
            assertThat(receiver.metricPointAttribute(SEQ)).containsExactly("0", "1", "2");
            meters.close();
        }
    }

    @Test
    void otlpJsonEncoding_writesOtlpJsonMessages_withoutKey() throws Exception {
        createTopics("m2", "l2");
        open("m2", "l2", "encoding = otlp_json\n");
        sinks.metricExporter().export(metricBatch(42));
        await().atMost(Duration.ofSeconds(20)).until(() -> stats().exported() == 1);
        List<ConsumerRecord<byte[], byte[]>> records = consume("m2", 1);
        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.key()).isNull();
            assertThat(new String(r.value(), StandardCharsets.UTF_8))
                    .startsWith("{\"resourceMetrics\":")
                    .contains("\"test.seq\"")
                    .contains("\"42\"");
        });
    }

    @Test
    void brokerStoppedAndRestartedMidStream_nothingLostOrDuplicated() throws Exception {
        createTopics("m3", "l3");
        open("m3", "l3", "");
        for (int i = 0; i < 5; i++) {
            sinks.metricExporter().export(metricBatch(i));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> stats().exported() == 5);

        BrokerServer broker = cluster.brokers().values().iterator().next();
        broker.shutdown();
        broker.awaitShutdown();
        for (int i = 5; i < 10; i++) {
            assertThat(sinks.metricExporter().export(metricBatch(i)).isDone()).isTrue();
        }
        await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> stats().queued() > 0);
        broker.startup();
        cluster.waitForReadyBrokers();

        await().atMost(Duration.ofSeconds(60)).until(() -> stats().exported() == 10);
        assertThat(seqs(consume("m3", 10))).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        SinkStats s = stats();
        assertThat(s.droppedTotal()).isZero();
        assertThat(s.accepted()).isEqualTo(s.exported()).isEqualTo(10);
    }

    /**
     * Issue 7's log noise: the first send to a topic that does not exist yet (UNKNOWN_TOPIC_OR_PARTITION) and an
     * outage of the broker. The sink's own lines are two: one when the outage starts, one on recovery with the
     * counts (kafka-clients' own warnings are capped here by logback-test.xml, in the agent by its logging, which
     * throttles them).
     */
    @Test
    void brokerOutage_logsOneLineWhenItStarts_andOneOnRecovery_andNothingFromKafkaClients() throws Exception {
        ch.qos.logback.classic.Logger root =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> stderr =
                new ch.qos.logback.core.read.ListAppender<>();
        stderr.start();
        root.addAppender(stderr);
        try {
            open("m4-" + UUID.randomUUID(), "l4", "timeout = 3s\n"); // topics made by the broker on first use
            sinks.metricExporter().export(metricBatch(0));
            await().atMost(Duration.ofSeconds(30)).until(() -> stats().exported() == 1);

            BrokerServer broker = cluster.brokers().values().iterator().next();
            broker.shutdown();
            broker.awaitShutdown();
            for (int i = 1; i < 6; i++) {
                sinks.metricExporter().export(metricBatch(i));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> stats().failed() >= 2);
            broker.startup();
            cluster.waitForReadyBrokers();
            await().atMost(Duration.ofSeconds(60)).until(() -> stats().exported() == 6);
        } finally {
            root.detachAppender(stderr);
        }

        List<String> lines = stderr.list.stream()
                .filter(e -> e.getLoggerName().startsWith("io.derpwatch.sinks")
                        || e.getLoggerName().startsWith("org.apache.kafka.clients"))
                .map(e -> e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage())
                .toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("WARN ").contains("sink kafka-test: delivery failing, will retry");
        assertThat(lines.get(1))
                .startsWith("INFO ")
                .containsPattern("sink kafka-test: delivering again after \\d+ s: \\d+ attempts had failed, 0 batches "
                        + "dropped");
        assertThat(stats().droppedTotal()).isZero();
    }
}
