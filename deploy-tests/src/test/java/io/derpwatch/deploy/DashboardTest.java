package io.derpwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The Grafana dashboard queries only metrics derpwatch exports, under their Prometheus names. */
class DashboardTest {
    private static JsonNode dashboard() throws IOException {
        return new ObjectMapper().readTree(Repository.read("deploy/grafana/derpwatch-fleet.json"));
    }

    private static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        dashboard.get("panels").forEach(p -> {
            out.add(p);
            if (p.has("panels")) {
                p.get("panels").forEach(out::add);
            }
        });
        return out;
    }

    @Test
    void everyQuery_usesOnlyExportedMetricNames() throws IOException {
        Set<String> exported = PrometheusNames.all();
        Set<String> used = new HashSet<>();
        for (JsonNode panel : panels(dashboard())) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.get("expr").asText();
                Set<String> names = PrometheusNames.referencedIn(expr);
                assertThat(names)
                        .as("panel \"%s\": %s", panel.get("title").asText(), expr)
                        .isNotEmpty()
                        .isSubsetOf(exported);
                used.addAll(names);
            }
        }
        JsonNode node = dashboard().at("/templating/list/1/query/query");
        used.addAll(PrometheusNames.referencedIn(node.asText()));
        assertThat(used)
                .contains(
                        "tailscale_derp_home_connection_ratio",
                        "tailscale_netcheck_region_latency_seconds",
                        "tailscale_netcheck_preferred_derp_ratio",
                        "tailscale_netcheck_udp_ratio",
                        "tailscale_netcheck_mapping_varies_by_dest_ip_ratio",
                        "derpwatch_sink_items_dropped_total",
                        "tailscale_health_warnings",
                        "tailscale_peers")
                .isSubsetOf(exported);
    }

    @Test
    void everyRateOrIncrease_spansTwoSamplesAtTheDefaultExportInterval() throws IOException {
        // the agent pushes every 60 s (telemetry.export-interval); $__rate_interval at Grafana's default 15 s
        // scrape interval can be 1 minute, which holds one sample and gives no rate
        for (JsonNode panel : panels(dashboard())) {
            boolean rates = false;
            for (JsonNode target : panel.path("targets")) {
                String expr = target.get("expr").asText();
                rates |= expr.contains("rate(") || expr.contains("increase(");
            }
            if (rates) {
                String interval = panel.path("interval").asText("");
                assertThat(interval)
                        .as("panel \"%s\": min interval", panel.get("title").asText())
                        .matches("[0-9]+m");
                assertThat(Integer.parseInt(interval.substring(0, interval.length() - 1)))
                        .as("panel \"%s\": minutes", panel.get("title").asText())
                        .isGreaterThanOrEqualTo(2);
            }
        }
    }

    @Test
    void panels_queryTheDatasourceVariableAndHaveUniqueIds() throws IOException {
        JsonNode d = dashboard();
        assertThat(d.get("uid").asText()).isEqualTo("derpwatch-fleet");
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : panels(d)) {
            assertThat(ids.add(panel.get("id").asInt()))
                    .as("unique id %s", panel.get("id"))
                    .isTrue();
            if (!panel.get("type").asText().equals("row")) {
                assertThat(panel.at("/datasource/uid").asText()).isEqualTo("${datasource}");
            }
        }
        assertThat(d.at("/templating/list/0/type").asText()).isEqualTo("datasource");
        assertThat(d.at("/templating/list/1/name").asText()).isEqualTo("node");
    }

    @Test
    void translation_isPrometheusOtlpTranslation() {
        assertThat(PrometheusNames.translate("tailscale.derp.home_connection", "gauge (int), `1`"))
                .isEqualTo("tailscale_derp_home_connection_ratio");
        assertThat(PrometheusNames.translate("tailscale.netcheck.region.latency", "gauge, `s`"))
                .isEqualTo("tailscale_netcheck_region_latency_seconds");
        assertThat(PrometheusNames.translate("derpwatch.sink.items.dropped", "counter, `{item}`"))
                .isEqualTo("derpwatch_sink_items_dropped_total");
        assertThat(PrometheusNames.translate("derpwatch.sink.queue.size", "up-down counter, `{item}`"))
                .isEqualTo("derpwatch_sink_queue_size");
        assertThat(PrometheusNames.otlpMetricNames())
                .as("every metric of TelemetryNames is in docs/telemetry.md")
                .contains("tailscale.derp.home_connection", "tailscale.netcheck.ipv6", "derpwatch.sink.retries");
    }
}
