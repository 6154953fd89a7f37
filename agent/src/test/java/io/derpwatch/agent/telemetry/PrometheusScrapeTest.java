package io.derpwatch.agent.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.resources.Resource;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Prometheus names and labels of derpwatch's kinds of instruments, as Prometheus's OTLP translation gives. */
class PrometheusScrapeTest {
    private final Resource resource = Resource.create(Attributes.builder()
            .put("service.name", "derpwatch")
            .put("host.name", "node-1")
            .put("k8s.pod.name", "derpwatch-abc")
            .build());
    private final PrometheusReader reader = new PrometheusReader();
    private final SdkMeterProvider provider = SdkMeterProvider.builder()
            .setResource(resource)
            .registerMetricReader(reader)
            .build();
    private final Meter meter = provider.meterBuilder("io.derpwatch")
            .setInstrumentationVersion("1.2.3")
            .build();
    private final PrometheusScrape scrape = new PrometheusScrape(reader, resource);

    @AfterEach
    void close() {
        provider.close();
    }

    private String text(String accept) {
        return new String(scrape.scrape(accept).body(), StandardCharsets.UTF_8);
    }

    @Test
    void unitGauge_getsRatio_andAttributesBecomeLabels() {
        meter.gaugeBuilder(TelemetryNames.HOME_CONNECTION)
                .ofLongs()
                .setUnit("1")
                .buildWithCallback(m -> m.record(1, Attributes.of(TelemetryNames.REGION_CODE, "sin")));

        assertThat(text(null))
                .contains("# TYPE tailscale_derp_home_connection_ratio gauge")
                .contains("tailscale_derp_home_connection_ratio{otel_scope_name=\"io.derpwatch\","
                        + "otel_scope_version=\"1.2.3\",tailscale_derp_region_code=\"sin\"} 1.0");
    }

    @Test
    void secondsGauge_getsSeconds() {
        meter.gaugeBuilder(TelemetryNames.NETCHECK_REGION_LATENCY)
                .setUnit("s")
                .buildWithCallback(m -> m.record(0.0125, Attributes.of(TelemetryNames.REGION_ID, 3L)));

        assertThat(text(null))
                .contains("tailscale_netcheck_region_latency_seconds{otel_scope_name=\"io.derpwatch\","
                        + "otel_scope_version=\"1.2.3\",tailscale_derp_region_id=\"3\"} 0.0125");
    }

    @Test
    void counter_getsTotal_andCurlyUnitsAreDropped() {
        meter.counterBuilder(TelemetryNames.SINK_ITEMS_EXPORTED)
                .setUnit("{item}")
                .build()
                .add(5, Attributes.of(TelemetryNames.SINK_NAME, "backend"));

        assertThat(text(null))
                .contains("# TYPE derpwatch_sink_items_exported_total counter")
                .contains("derpwatch_sink_items_exported_total{derpwatch_sink_name=\"backend\",");
    }

    @Test
    void upDownCounter_isAGauge_withoutTotal() {
        meter.upDownCounterBuilder(TelemetryNames.SINK_QUEUE_SIZE)
                .setUnit("{item}")
                .build()
                .add(2, Attributes.of(TelemetryNames.SINK_NAME, "backend"));

        assertThat(text(null))
                .contains("# TYPE derpwatch_sink_queue_size gauge")
                .doesNotContain("queue_size_total");
    }

    @Test
    void resource_isOneTargetInfoSeries() {
        assertThat(text(null))
                .contains(
                        "target_info{host_name=\"node-1\",k8s_pod_name=\"derpwatch-abc\",service_name=\"derpwatch\"} 1");
    }

    @Test
    void openMetrics_whenTheAcceptHeaderAsksForIt() {
        meter.gaugeBuilder(TelemetryNames.NETCHECK_DURATION).setUnit("s").buildWithCallback(m -> m.record(0.5));

        PrometheusScrape.Exposition e = scrape.scrape("application/openmetrics-text;version=1.0.0,text/plain;q=0.5");

        assertThat(e.contentType()).startsWith("application/openmetrics-text");
        assertThat(new String(e.body(), StandardCharsets.UTF_8))
                .contains("# UNIT tailscale_netcheck_duration_seconds seconds")
                .endsWith("# EOF\n");
        assertThat(scrape.scrape("text/plain").contentType()).startsWith("text/plain; version=0.0.4");
    }
}
