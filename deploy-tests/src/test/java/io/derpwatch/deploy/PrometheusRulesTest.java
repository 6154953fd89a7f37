package io.derpwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** deploy/prometheus checked by Prometheus's own tool, and against the metric names derpwatch exports. */
class PrometheusRulesTest {
    private static final String RULES = "deploy/prometheus/derpwatch.rules.yaml";

    private static ExternalTool promtool() {
        return ExternalTool.require("promtool", "apt-get install -y --no-install-recommends prometheus");
    }

    @Test
    void rules_passPromtoolCheck() {
        String out = promtool()
                .run(
                        Duration.ofMinutes(1),
                        "check",
                        "rules",
                        Repository.path(RULES).toString())
                .assertSuccess("promtool check rules")
                .stdout();
        assertThat(out).contains("SUCCESS");
    }

    /**
     * The unit tests feed synthetic series: a node lost for longer than {@code for:} pages, one flapping in shorter
     * spells does not; a region outage is told from a node problem; the first drop of a sink is caught.
     */
    @Test
    void rules_passTheirPromtoolUnitTests() {
        String out = promtool()
                .run(
                        Duration.ofMinutes(2),
                        "test",
                        "rules",
                        Repository.path("deploy/prometheus/derpwatch.rules.test.yaml")
                                .toString())
                .assertSuccess("promtool test rules")
                .stdout();
        assertThat(out).contains("SUCCESS");
    }

    @Test
    void rules_referenceOnlyMetricsTheAgentExports() throws IOException {
        JsonNode groups = new ObjectMapper(new YAMLFactory())
                .readTree(Repository.read(RULES))
                .get("groups");
        List<String> exprs = new ArrayList<>();
        groups.forEach(g -> g.get("rules").forEach(r -> exprs.add(r.get("expr").asText())));
        assertThat(exprs).hasSizeGreaterThanOrEqualTo(8);
        for (String expr : exprs) {
            assertThat(PrometheusNames.referencedIn(expr))
                    .as("metrics in %s", expr)
                    .isNotEmpty()
                    .isSubsetOf(PrometheusNames.all());
        }
    }

    @Test
    void everyAlert_hasASeverityAndASummary() throws IOException {
        JsonNode groups = new ObjectMapper(new YAMLFactory())
                .readTree(Repository.read(RULES))
                .get("groups");
        List<String> alerts = new ArrayList<>();
        groups.forEach(g -> g.get("rules").forEach(r -> {
            alerts.add(r.get("alert").asText());
            assertThat(r.at("/labels/severity").asText()).isIn("info", "warning", "critical");
            assertThat(r.at("/annotations/summary").asText()).isNotBlank();
        }));
        assertThat(alerts)
                .contains(
                        "DerpwatchHomeDerpLost",
                        "DerpwatchDerpRegionOutage",
                        "DerpwatchUdpBlocked",
                        "DerpwatchHardNatAppeared",
                        "DerpwatchRelayedShareHigh",
                        "DerpwatchSinkDropping",
                        "DerpwatchAgentAbsent");
    }
}
