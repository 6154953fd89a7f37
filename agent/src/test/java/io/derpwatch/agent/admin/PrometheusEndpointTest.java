package io.derpwatch.agent.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} of the agent running on the lab: linted by {@code promtool check metrics} and scraped by a
 * real Prometheus server (Debian's {@code prometheus} 2.42) on loopback, queried through its HTTP API.
 */
class PrometheusEndpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    private static final String INSTALL = "apt-get install -y --no-install-recommends prometheus";

    @TempDir
    Path dir;

    @Test
    void metrics_isPrometheusTextThatPromtoolAccepts_withTranslatedNames() throws Exception {
        GlanceLab.require("promtool", Files.isExecutable(PROMTOOL), INSTALL);
        try (GlanceLab lab = GlanceLab.start(dir)) {
            String[] body = new String[1];
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                HttpResponse<String> res = lab.get("/metrics", null);
                assertThat(res.statusCode()).isEqualTo(200);
                assertThat(res.headers().firstValue("Content-Type"))
                        .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
                assertThat(res.body())
                        .contains("tailscale_derp_home_connection_ratio{")
                        .contains("tailscale_netcheck_region_latency_seconds{")
                        .contains("derpwatch_source_samples_total{")
                        .contains("target_info{");
                body[0] = res.body();
            });
            assertThat(body[0])
                    .containsPattern(
                            "tailscale_derp_home_connection_ratio\\{[^}]*tailscale_derp_region_code=\"lab-mid\"[^}]*} 1")
                    .contains("host_name=\"lab-node\"", "service_name=\"derpwatch\"");

            Path metrics = Files.writeString(dir.resolve("metrics.txt"), body[0]);
            Process p = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics")
                    .redirectInput(metrics.toFile())
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue())
                    .as("promtool check metrics said:%n%s", out)
                    .isZero();
        }
    }

    @Test
    void metrics_answersOpenMetricsWhenAsked() throws Exception {
        try (GlanceLab lab = GlanceLab.start(dir)) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                HttpResponse<String> res = lab.get("/metrics", "application/openmetrics-text; version=1.0.0");
                assertThat(res.headers().firstValue("Content-Type"))
                        .hasValueSatisfying(t -> assertThat(t).startsWith("application/openmetrics-text"));
                assertThat(res.body())
                        .contains("# TYPE tailscale_derp_home_connection_ratio gauge")
                        .contains("# UNIT tailscale_netcheck_region_latency_seconds seconds")
                        .contains("# TYPE target info")
                        .endsWith("# EOF\n");
            });
        }
    }

    @Test
    void realPrometheus_scrapesHomeConnectionAndRegionLatency_andSeesADerpLoss() throws Exception {
        GlanceLab.require("prometheus", Files.isExecutable(PROMETHEUS), INSTALL);
        try (GlanceLab lab = GlanceLab.start(dir)) {
            int port = freePort();
            Path config = Files.writeString(dir.resolve("prometheus.yml"), """
                    global:
                      scrape_interval: 1s
                      scrape_timeout: 900ms
                    scrape_configs:
                      - job_name: derpwatch
                        static_configs:
                          - targets: ['127.0.0.1:%d']
                    """.formatted(lab.agent.adminPort()));
            Process prometheus = new ProcessBuilder(
                            PROMETHEUS.toString(),
                            "--config.file=" + config,
                            "--storage.tsdb.path=" + Files.createDirectories(dir.resolve("tsdb")),
                            "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("prometheus.log").toFile())
                    .start();
            try {
                String api = "http://127.0.0.1:" + port;
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
                    List<JsonNode> home = query(api, "tailscale_derp_home_connection_ratio");
                    assertThat(home).singleElement().satisfies(s -> {
                        assertThat(s.at("/metric/job").asText()).isEqualTo("derpwatch");
                        assertThat(s.at("/metric/tailscale_derp_region_code").asText())
                                .isEqualTo(GlanceLab.HOME);
                        assertThat(s.at("/value/1").asText()).isEqualTo("1");
                    });
                    List<JsonNode> near = query(
                            api, "tailscale_netcheck_region_latency_seconds{tailscale_derp_region_code=\"lab-near\"}");
                    assertThat(near).singleElement().satisfies(s -> {
                        assertThat(s.at("/metric/tailscale_derp_region_id").asText())
                                .isEqualTo("901");
                        assertThat(s.at("/metric/tailscale_derp_region_name").asText())
                                .isEqualTo("Lab near");
                        assertThat(s.at("/metric/network_type").asText()).isEqualTo("ipv4");
                        assertThat(s.at("/metric/tailscale_netcheck_probe").asText())
                                .isEqualTo("stun");
                        // the proxy adds 4 ms; the answer cannot be quicker than that
                        assertThat(s.at("/value/1").asDouble()).isGreaterThanOrEqualTo(0.004);
                    });
                    assertThat(query(api, "target_info{service_name=\"derpwatch\"}"))
                            .hasSize(1);
                });

                lab.loseHomeDerp();

                await().atMost(Duration.ofSeconds(30))
                        .ignoreExceptions()
                        .untilAsserted(() -> assertThat(query(api, "tailscale_derp_home_connection_ratio"))
                                .singleElement()
                                .satisfies(s ->
                                        assertThat(s.at("/value/1").asText()).isEqualTo("0")));
                // the whole story is in the TSDB: connected, then lost
                assertThat(query(api, "max_over_time(tailscale_derp_home_connection_ratio[5m])"))
                        .singleElement()
                        .satisfies(s -> assertThat(s.at("/value/1").asText()).isEqualTo("1"));
            } finally {
                prometheus.destroy();
                if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly();
                }
            }
        }
    }

    /** The instant vector of {@code promql} from Prometheus's HTTP API. */
    private static List<JsonNode> query(String api, String promql) throws IOException, InterruptedException {
        HttpResponse<String> res = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(api + "/api/v1/query?query="
                                        + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(res.body());
        assertThat(body.path("status").asText()).as(res.body()).isEqualTo("success");
        List<JsonNode> out = new ArrayList<>();
        body.at("/data/result").forEach(out::add);
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
