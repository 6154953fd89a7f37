package io.derpwatch.sinks.stdout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.SinkSettings;
import io.derpwatch.sinks.Batch;
import io.derpwatch.sinks.DeliveryException;
import io.derpwatch.sinks.Signal;
import io.derpwatch.sinks.Sink;
import io.derpwatch.sinks.SinkContext;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemoryLogRecordExporter;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StdoutSinkTest {
    private static final Resource RESOURCE =
            Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "derpwatch"));

    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final ObjectMapper mapper = new ObjectMapper();

    private static Collection<MetricData> homeConnectionGauge() {
        InMemoryMetricReader reader = InMemoryMetricReader.create();
        SdkMeterProvider provider = SdkMeterProvider.builder()
                .setResource(RESOURCE)
                .registerMetricReader(reader)
                .build();
        provider.get("io.derpwatch")
                .gaugeBuilder("tailscale.derp.home_connection")
                .ofLongs()
                .setUnit("1")
                .buildWithCallback(m -> m.record(
                        1,
                        Attributes.of(
                                AttributeKey.longKey("tailscale.derp.region.id"),
                                10L,
                                AttributeKey.stringKey("tailscale.derp.region.code"),
                                "sin")));
        return reader.collectAllMetrics();
    }

    private static Collection<LogRecordData> changedEvent() {
        InMemoryLogRecordExporter exporter = InMemoryLogRecordExporter.create();
        SdkLoggerProvider provider = SdkLoggerProvider.builder()
                .setResource(RESOURCE)
                .addLogRecordProcessor(SimpleLogRecordProcessor.create(exporter))
                .build();
        provider.get("io.derpwatch")
                .logRecordBuilder()
                .setEventName("tailscale.derp.home_connection.changed")
                .setSeverity(Severity.WARN)
                .setBody("home DERP connection lost: \"sin\"")
                .setAttribute(AttributeKey.stringKey("reason"), "derp_unreachable")
                .emit();
        return exporter.getFinishedLogRecordItems();
    }

    private Sink open(String format, PrintStream out) {
        List<ConfigProblem> problems = new ArrayList<>();
        SinkSettings settings = new SinkSettings(
                "stdout",
                "stdout",
                true,
                ConfigFactory.parseMap(Map.of("type", "stdout", "format", format, "enabled", true)));
        StdoutSinkFactory factory = new StdoutSinkFactory();
        StdoutSinkFactory.Config config = factory.createConfig(settings, problems);
        assertThat(problems).isEmpty();
        return factory.create(config, new SinkContext(out));
    }

    private static void metrics(Sink sink, Collection<MetricData> data) throws DeliveryException {
        sink.send(new Batch(Signal.METRICS, null, null, data));
    }

    private static void logs(Sink sink, Collection<LogRecordData> data) throws DeliveryException {
        sink.send(new Batch(Signal.LOGS, null, null, data));
    }

    private List<String> lines() {
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void otlpJson_writesOneResourceMetricsObjectPerLine() throws Exception {
        Sink sink = open("otlp-json", new PrintStream(captured, true, StandardCharsets.UTF_8));

        metrics(sink, homeConnectionGauge());

        assertThat(lines()).hasSize(1);
        JsonNode root = mapper.readTree(lines().get(0));
        JsonNode resource = root.at("/resourceMetrics/0/resource/attributes/0");
        assertThat(resource.at("/key").asText()).isEqualTo("service.name");
        assertThat(resource.at("/value/stringValue").asText()).isEqualTo("derpwatch");
        JsonNode metric = root.at("/resourceMetrics/0/scopeMetrics/0/metrics/0");
        assertThat(metric.at("/name").asText()).isEqualTo("tailscale.derp.home_connection");
        assertThat(metric.at("/unit").asText()).isEqualTo("1");
        JsonNode point = metric.at("/gauge/dataPoints/0");
        assertThat(point.at("/asInt").asText()).isEqualTo("1");
        assertThat(point.at("/attributes").findValuesAsText("key"))
                .containsExactlyInAnyOrder("tailscale.derp.region.id", "tailscale.derp.region.code");
        assertThat(root.at("/resourceMetrics/0/scopeMetrics/0/scope/name").asText())
                .isEqualTo("io.derpwatch");
    }

    @Test
    void otlpJson_writesEventsAsResourceLogsWithTheirEventName() throws Exception {
        Sink sink = open("otlp-json", new PrintStream(captured, true, StandardCharsets.UTF_8));

        logs(sink, changedEvent());

        JsonNode record = mapper.readTree(lines().get(0)).at("/resourceLogs/0/scopeLogs/0/logRecords/0");
        assertThat(record.at("/eventName").asText()).isEqualTo("tailscale.derp.home_connection.changed");
        assertThat(record.at("/severityNumber").asInt()).isEqualTo(Severity.WARN.getSeverityNumber());
        assertThat(record.at("/body/stringValue").asText()).isEqualTo("home DERP connection lost: \"sin\"");
        assertThat(record.at("/attributes/0/key").asText()).isEqualTo("reason");
    }

    @Test
    void text_writesOneReadableLinePerPointAndEvent() throws Exception {
        Sink sink = open("text", new PrintStream(captured, true, StandardCharsets.UTF_8));

        metrics(sink, homeConnectionGauge());
        logs(sink, changedEvent());

        assertThat(lines()).hasSize(2);
        assertThat(lines().get(0))
                .matches("\\d{4}-\\d\\d-\\d\\dT.*Z metric tailscale\\.derp\\.home_connection 1 "
                        + "\\{tailscale\\.derp\\.region\\.code=sin, tailscale\\.derp\\.region\\.id=10\\}");
        assertThat(lines().get(1))
                .endsWith(" event tailscale.derp.home_connection.changed WARN "
                        + "\"home DERP connection lost: \\\"sin\\\"\" {reason=derp_unreachable}");
    }

    @Test
    void emptyBatch_writesNothing() throws Exception {
        Sink sink = open("otlp-json", new PrintStream(captured, true, StandardCharsets.UTF_8));

        metrics(sink, List.of());

        assertThat(captured.size()).isZero();
    }

    @Test
    void send_failsRetryably_whenStandardOutputCannotBeWritten() {
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                throw new java.io.IOException("EPIPE");
            }
        };
        Sink sink = open("otlp-json", new PrintStream(broken, true, StandardCharsets.UTF_8));

        assertThatThrownBy(() -> metrics(sink, homeConnectionGauge()))
                .isInstanceOfSatisfying(
                        DeliveryException.class, e -> assertThat(e.retryable()).isTrue());
    }

    @Test
    void unknownFormat_isAConfigProblemNamingTheChoices() {
        List<ConfigProblem> problems = new ArrayList<>();
        SinkSettings settings = new SinkSettings(
                "out", "stdout", true, ConfigFactory.parseMap(Map.of("type", "stdout", "format", "yaml")));

        assertThat(new StdoutSinkFactory().createConfig(settings, problems)).isNull();
        assertThat(problems)
                .singleElement()
                .asString()
                .endsWith("derpwatch.sinks.out.format: unknown value \"yaml\" (expected one of otlp-json, text)");
    }
}
