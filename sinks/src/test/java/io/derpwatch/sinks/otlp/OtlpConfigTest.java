package io.derpwatch.sinks.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.SinkSettings;
import io.derpwatch.sinks.testing.TestSinks;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OtlpConfigTest {
    @TempDir
    Path dir;

    private static List<ConfigProblem> problems(String hocon) {
        return TestSinks.problems(TestSinks.settings("collector", "otlp", hocon));
    }

    private static OtlpSettings configure(String hocon, Map<String, String> env) {
        List<ConfigProblem> problems = new ArrayList<>();
        SinkSettings s = TestSinks.settings("collector", "otlp", hocon);
        OtlpSettings settings = new OtlpSinkFactory(env).createConfig(s, problems);
        assertThat(problems).isEmpty();
        return settings;
    }

    @Test
    void defaults_areGrpcToLocalhost4317_withGzipAnd10sTimeout() {
        OtlpSettings s = configure("", Map.of());
        assertThat(s.protocol()).isEqualTo(OtlpProtocol.GRPC);
        assertThat(s.metricsEndpoint()).isEqualTo(URI.create("http://localhost:4317"));
        assertThat(s.gzip()).isTrue();
        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void httpProtobuf_appendsTheSignalPaths() {
        OtlpSettings s =
                configure("protocol = \"http/protobuf\"\nendpoint = \"https://otel.example:4318/base/\"", Map.of());
        assertThat(s.metricsEndpoint()).isEqualTo(URI.create("https://otel.example:4318/base/v1/metrics"));
        assertThat(s.logsEndpoint()).isEqualTo(URI.create("https://otel.example:4318/base/v1/logs"));
    }

    @Test
    void otelEnvironment_fillsWhatTheConfigLeavesUnset_andTheConfigWins() {
        Map<String, String> env = Map.of(
                "OTEL_EXPORTER_OTLP_PROTOCOL",
                "http/protobuf",
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                "http://env-collector:4318",
                "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
                "http://logs-collector:4318/custom/logs",
                "OTEL_EXPORTER_OTLP_HEADERS",
                "authorization=Bearer%20abc,x-team=env",
                "OTEL_EXPORTER_OTLP_COMPRESSION",
                "none",
                "OTEL_EXPORTER_OTLP_TIMEOUT",
                "2500");
        OtlpSettings s = configure("headers { x-team = config }", env);
        assertThat(s.protocol()).isEqualTo(OtlpProtocol.HTTP_PROTOBUF);
        assertThat(s.metricsEndpoint()).isEqualTo(URI.create("http://env-collector:4318/v1/metrics"));
        assertThat(s.logsEndpoint()).isEqualTo(URI.create("http://logs-collector:4318/custom/logs"));
        assertThat(s.headers()).containsEntry("authorization", "Bearer abc").containsEntry("x-team", "config");
        assertThat(s.gzip()).isFalse();
        assertThat(s.timeout()).isEqualTo(Duration.ofMillis(2500));

        OtlpSettings configured = configure("protocol = grpc\nendpoint = \"http://mine:4317\"\ntimeout = 3s", env);
        assertThat(configured.protocol()).isEqualTo(OtlpProtocol.GRPC);
        assertThat(configured.metricsEndpoint()).isEqualTo(URI.create("http://mine:4317"));
        assertThat(configured.timeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void headerValues_comeFromFiles_andAreRedactedInToString() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "Bearer s3cret-from-file\n");
        OtlpSettings s = configure(
                "headers { x-api-key = \"s3cret-inline\" }\nheader-files { authorization = \"" + token + "\" }",
                Map.of());
        assertThat(s.headers()).containsEntry("authorization", "Bearer s3cret-from-file");
        assertThat(s.toString()).contains("authorization").contains("x-api-key").doesNotContain("s3cret");
        OtlpSettings withUser = configure("endpoint = \"https://agent:pa55word@collector:4317\"", Map.of());
        assertThat(withUser.toString())
                .contains("https://[redacted]@collector:4317")
                .doesNotContain("pa55word");
    }

    @Test
    void badEndpointUrl_namesTheKeyAndTheFix() {
        assertThat(problems("endpoint = \"collector:4317\"")).singleElement().satisfies(p -> {
            assertThat(p.path()).isEqualTo("derpwatch.sinks.collector.endpoint");
            assertThat(p.problem())
                    .contains("bad endpoint URL \"collector:4317\"")
                    .contains("http or https")
                    .contains("expected a URL such as http://collector:4317");
        });
        assertThat(problems("endpoint = \"http://\""))
                .singleElement()
                .satisfies(p -> assertThat(p.problem()).contains("bad endpoint URL"));
    }

    @Test
    void unknownProtocol_namesTheKeyAndTheChoices() {
        assertThat(problems("protocol = \"http/json\"")).singleElement().satisfies(p -> {
            assertThat(p.path()).isEqualTo("derpwatch.sinks.collector.protocol");
            assertThat(p.problem()).contains("unknown protocol \"http/json\"").contains("grpc, http/protobuf");
        });
    }

    @Test
    void unknownProtocolFromTheEnvironment_saysWhichVariable() {
        List<ConfigProblem> problems = new ArrayList<>();
        new OtlpSinkFactory(Map.of("OTEL_EXPORTER_OTLP_PROTOCOL", "carrier-pigeon"))
                .createConfig(TestSinks.settings("collector", "otlp", ""), problems);
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo("environment variable OTEL_EXPORTER_OTLP_PROTOCOL");
            assertThat(p.problem()).contains("carrier-pigeon");
        });
    }

    @Test
    void tlsProblems_nameTheKey() {
        assertThat(problems("endpoint = \"https://c:4317\"\ntls { ca-file = \"/nonexistent/ca.pem\" }"))
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.path()).isEqualTo("derpwatch.sinks.collector.tls.ca-file");
                    assertThat(p.problem()).contains("not found");
                });
        assertThat(problems("endpoint = \"http://c:4317\"\ntls { insecure-skip-verify = true }"))
                .singleElement()
                .satisfies(p -> assertThat(p.problem()).contains("not https://"));
    }

    @Test
    void persistentQueueOnASinkWithout_isNotAProblem_forOtlp_andCompressionIsChecked() {
        assertThat(problems("queue.persistent.enabled = true\nqueue.persistent.directory = \"/tmp/q\""))
                .isEmpty();
        assertThat(problems("compression = brotli"))
                .singleElement()
                .satisfies(p -> assertThat(p.path()).isEqualTo("derpwatch.sinks.collector.compression"));
        assertThat(problems("queue.when-full = drop-random"))
                .singleElement()
                .satisfies(p -> assertThat(p.path()).isEqualTo("derpwatch.sinks.collector.queue.when-full"));
    }
}
