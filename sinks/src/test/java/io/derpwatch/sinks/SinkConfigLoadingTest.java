package io.derpwatch.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsException;
import io.derpwatch.config.SettingsLoader;
import io.derpwatch.sinks.runtime.SinkCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The documented sink configuration, through the real loader (reference.conf of config + sinks). */
class SinkConfigLoadingTest {
    @TempDir
    Path dir;

    // the stdout sink type is not in this module; the default stdout sink is re-typed to the test sink
    private static final String STDOUT = "derpwatch.sinks.stdout.type = test-lines\n";

    private DerpwatchSettings load(String conf, Map<String, String> env) throws Exception {
        Path file = Files.writeString(dir.resolve("derpwatch.conf"), STDOUT + conf);
        return SettingsLoader.with(env, new Properties()).load(file);
    }

    @Test
    void documentedExample_loadsAndConfigures() throws Exception {
        DerpwatchSettings settings = load("""
                derpwatch.sinks {
                  collector {
                    type = otlp
                    protocol = grpc
                    endpoint = "https://otel-collector.observability:4317"
                    headers { authorization = ${?OTLP_AUTHORIZATION} }
                    tls { insecure-skip-verify = true }
                    queue { max-batches = 500, persistent { enabled = true, directory = "/tmp/dw-queue" } }
                    retry { initial = 2s, max = 1m, max-elapsed = 2h }
                  }
                  events {
                    type = kafka
                    brokers = ["kafka-0.kafka:9093", "kafka-1.kafka:9093"]
                    partition-by = node
                    producer {
                      "security.protocol" = SASL_SSL
                      "sasl.mechanism" = SCRAM-SHA-512
                      "sasl.jaas.config" = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\\"derpwatch\\" password=\\"x\\";"
                    }
                  }
                }
                """, Map.of("OTLP_AUTHORIZATION", "Bearer abc"));
        List<ConfigProblem> problems = new ArrayList<>();
        List<SinkCatalog.ConfiguredSink> configured = SinkCatalog.load().configure(settings.sinks(), problems);
        assertThat(problems).isEmpty();
        assertThat(configured).extracting(c -> c.settings().name()).containsExactly("collector", "events", "stdout");
        assertThat(configured.get(0).delivery().maxBatches()).isEqualTo(500);
        assertThat(configured.get(0).delivery().persistent()).isTrue();
        assertThat(configured.get(1).delivery().maxBatches()).isEqualTo(2000);
        assertThat(settings.sinks().get(0).config().getString("headers.authorization"))
                .isEqualTo("Bearer abc");
        assertThat(settings.sinks().get(0).toString()).doesNotContain("Bearer");
    }

    @Test
    void missingRequiredKey_isLocatedAtTheUsersSinkBlock_notInReferenceConf() throws Exception {
        DerpwatchSettings settings = load("""
                derpwatch.sinks {
                  bus { type = kafka }
                }
                """, Map.of());
        List<ConfigProblem> problems = new ArrayList<>();

        SinkCatalog.load().configure(settings.sinks(), problems);

        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo(dir.resolve("derpwatch.conf").toString());
            assertThat(p.line()).isEqualTo(3);
            assertThat(p.path()).isEqualTo("derpwatch.sinks.bus.brokers");
        });
    }

    @Test
    void misspelledDeliveryKey_isRejectedWithASuggestion() {
        assertThatThrownBy(() -> load("derpwatch.sinks.c { type = otlp, queue { max-batchez = 5 } }\n", Map.of()))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("derpwatch.sinks.c.queue.max-batchez: unknown key (did you mean \"max-batches\"");
    }

    @Test
    void aTypoInAKafkaProducerProperty_isLocatedAtTheUsersLine_notAtAMergeOfOrigins() throws Exception {
        DerpwatchSettings settings = load("""
                derpwatch.sinks.bus {
                  type = kafka
                  brokers = ["127.0.0.1:9092"]
                  producer {
                    "bootstrap.servrs" = "127.0.0.1:9092"
                  }
                }
                """, Map.of());
        List<ConfigProblem> problems = new ArrayList<>();

        SinkCatalog.load().configure(settings.sinks(), problems);

        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo(dir.resolve("derpwatch.conf").toString());
            assertThat(p.line()).isEqualTo(5);
            assertThat(p.path()).isEqualTo("derpwatch.sinks.bus.producer.bootstrap.servrs");
        });
    }

    @Test
    void declaringSinks_replacesTheDefaultStdoutSink() throws Exception {
        Path file = Files.writeString(
                dir.resolve("only-otlp.conf"),
                "derpwatch.sinks.collector { type = otlp, endpoint = \"http://127.0.0.1:4317\" }\n");

        DerpwatchSettings settings =
                SettingsLoader.with(Map.of(), new Properties()).load(file);

        assertThat(settings.enabledSinks()).extracting(s -> s.name()).containsExactly("collector");
    }
}
