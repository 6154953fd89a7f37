package io.derpwatch.sinks.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.config.ConfigProblem;
import io.derpwatch.sinks.PayloadEncoding;
import io.derpwatch.sinks.testing.TestSinks;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaConfigTest {

    private static List<ConfigProblem> problems(String hocon) {
        return TestSinks.problems(TestSinks.settings("events", "kafka", hocon));
    }

    @Test
    void missingBrokers_namesTheKeyAndTheFix() {
        assertThat(problems("")).singleElement().satisfies(p -> {
            assertThat(p.path()).isEqualTo("derpwatch.sinks.events.brokers");
            assertThat(p.problem()).contains("no broker given").contains("brokers = [\"kafka-0.kafka:9092\"]");
        });
    }

    @Test
    void badBrokerAddress_andUnknownEncoding_areEachReported() {
        assertThat(problems("brokers = [\"kafka\"]\nencoding = avro"))
                .extracting(ConfigProblem::path)
                .containsExactlyInAnyOrder("derpwatch.sinks.events.brokers", "derpwatch.sinks.events.encoding");
    }

    @Test
    void producerProperties_areCheckedAgainstKafkaNames() {
        assertThat(problems("brokers = \"k:9092\"\nproducer { \"sasl.mechanizm\" = PLAIN }"))
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.path()).isEqualTo("derpwatch.sinks.events.producer.sasl.mechanizm");
                    assertThat(p.problem()).contains("unknown Kafka producer property");
                });
        assertThat(problems("brokers = \"k:9092\"\nproducer { \"bootstrap.servers\" = \"x:1\" }"))
                .singleElement()
                .satisfies(p -> assertThat(p.problem()).contains("set by derpwatch"));
    }

    @Test
    void safeProducerDefaults_canBeOverridden_andSecretsAreRedacted() {
        KafkaSettings s = new KafkaSettings(
                "events",
                List.of("k:9092"),
                "otlp_metrics",
                "otlp_logs",
                PayloadEncoding.OTLP_PROTO,
                false,
                Duration.ofSeconds(30),
                Map.of(
                        "sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required "
                                + "username=\"agent\" password=\"hunter2\";",
                        "compression.type",
                        "lz4",
                        "ssl.truststore.password",
                        "changeit",
                        "security.protocol",
                        "SASL_SSL"));
        Map<String, Object> props = KafkaSink.producerProperties(s);
        assertThat(props)
                .containsEntry("acks", "all")
                .containsEntry("enable.idempotence", "true")
                .containsEntry("compression.type", "lz4")
                .containsEntry("max.block.ms", "10000")
                .containsEntry("buffer.memory", "8388608")
                .containsEntry("bootstrap.servers", "k:9092");
        assertThat(s.toString())
                .contains("security.protocol=SASL_SSL")
                .doesNotContain("hunter2")
                .doesNotContain("changeit");
    }
}
