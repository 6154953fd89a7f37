package io.derpwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsLoader;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** helm lint and helm template (Helm's own code, through helm-java) of helm/derpwatch, checked object by object. */
class HelmChartTest {
    private static final Path CHART = Repository.path("helm/derpwatch");

    @TempDir
    Path scratch;

    static Stream<Path> ciValues() throws IOException {
        try (Stream<Path> files = Files.list(CHART.resolve("ci"))) {
            List<Path> list = files.filter(p -> p.getFileName().toString().endsWith("-values.yaml"))
                    .sorted()
                    .toList();
            assertThat(list).as("ci/*-values.yaml").isNotEmpty();
            return list.stream();
        }
    }

    private static String template(UnaryOperator<TemplateCommand> values) {
        return values.apply(new Helm(CHART)
                        .template()
                        .withName("derpwatch")
                        .withNamespace("monitoring")
                        .withKubeVersion("1.32.0"))
                .call();
    }

    private static Manifests render(UnaryOperator<TemplateCommand> values) {
        return Manifests.parse(template(values));
    }

    @Test
    void chart_passesStrictLint() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed())
                .as("helm lint --strict: %s", lint.getMessages())
                .isFalse();
    }

    @ParameterizedTest
    @MethodSource("ciValues")
    void everyCiValuesFile_rendersSecureWiredManifestsWhoseConfigTheAgentAccepts(Path values) {
        Manifests m = render(t -> t.withValuesFile(values));
        PodTemplateSpec pod = m.workloadPod();
        AgentPodExpectations.assertSecure(pod);
        AgentPodExpectations.assertWired(pod);
        AgentPodExpectations.assertAgentAccepts(AgentPodExpectations.mountedConfig(pod, m.configMaps()), scratch);
        assertThat(pod.getMetadata().getAnnotations()).containsKey("checksum/config");
        assertThat(pod.getMetadata().getLabels())
                .containsEntry("app.kubernetes.io/name", "derpwatch")
                .containsEntry("app.kubernetes.io/instance", "derpwatch");
        m.all()
                .forEach(o -> assertThat(o.getMetadata().getLabels())
                        .as("labels of %s %s", o.getKind(), Manifests.name(o))
                        .containsEntry("app.kubernetes.io/managed-by", "Helm")
                        .containsKey("helm.sh/chart"));
        assertThat(m.ofType(ServiceAccount.class))
                .singleElement()
                .satisfies(
                        sa -> assertThat(sa.getAutomountServiceAccountToken()).isFalse());
    }

    @Test
    void defaults_areADaemonSetOnEveryNodeOnTheHostNetworkReadingTheHostSocket() {
        Manifests m = render(t -> t);
        DaemonSet ds = m.ofType(DaemonSet.class).get(0);
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        assertThat(m.ofType(Deployment.class)).isEmpty();
        assertThat(pod.getHostNetwork()).isTrue();
        assertThat(pod.getDnsPolicy()).isEqualTo("ClusterFirstWithHostNet");
        assertThat(pod.getTolerations())
                .anySatisfy(t -> assertThat(t.getOperator()).isEqualTo("Exists"));
        assertThat(Manifests.volume(pod, "tailscale-socket").getHostPath().getType())
                .isEqualTo("Directory");
        assertThat(pod.getContainers()).extracting(c -> c.getName()).containsExactly("derpwatch");
        String conf = AgentPodExpectations.mountedConfig(ds.getSpec().getTemplate(), m.configMaps());
        AgentPodExpectations.assertAgentAccepts(conf, scratch);
        assertThat(conf).contains("stdout").doesNotContain("otlp {").doesNotContain("kafka {");
        assertThat(m.custom("PodMonitor")).isEmpty();
        assertThat(m.custom("PrometheusRule")).isEmpty();
    }

    @Test
    void intervals_byDefault_areTheAgentsOwnDefaults() throws Exception {
        String conf = AgentPodExpectations.mountedConfig(
                render(t -> t).workloadPod(), render(t -> t).configMaps());
        DerpwatchSettings agent =
                SettingsLoader.with(Map.of(), new Properties()).load(null);
        assertThat(conf)
                .contains("status.interval = \"" + agent.status().interval().toSeconds() + "s\"")
                .contains("telemetry.export-interval = \""
                        + agent.telemetry().exportInterval().toSeconds() + "s\"")
                .contains("telemetry.export-interval = \"60s\"");
    }

    @Test
    void derpCheck_isOnByDefault_andItsValuesReachTheAgentConfig() {
        String defaults = AgentPodExpectations.mountedConfig(
                render(t -> t).workloadPod(), render(t -> t).configMaps());
        assertThat(defaults).contains("derp-check.enabled = true", "derp-check.interval = \"60s\"");
        Manifests m = render(t -> t.set("config.derpCheck.enabled", "false").set("config.derpCheck.interval", "5m"));
        String conf = AgentPodExpectations.mountedConfig(m.workloadPod(), m.configMaps());
        assertThat(conf).contains("derp-check.enabled = false", "derp-check.interval = \"5m\"");
        AgentPodExpectations.assertAgentAccepts(conf, scratch);
    }

    @Test
    void hostNetworkOff_leavesThePodNetwork() {
        PodSpec pod = render(t -> t.set("hostNetwork", "false")).workloadPod().getSpec();
        assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getDnsPolicy()).isNull();
    }

    @Test
    void deploymentMode_runsTailscaleBesideTheAgentWithTheTokenOnlyInTailscale() {
        Manifests m = render(t -> t.set("mode", "deployment"));
        assertThat(m.ofType(DaemonSet.class)).isEmpty();
        Deployment d = m.ofType(Deployment.class).get(0);
        assertThat(d.getSpec().getReplicas()).isEqualTo(1);
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        assertThat(pod.getContainers()).extracting(c -> c.getName()).containsExactly("tailscale", "derpwatch");
        assertThat(Manifests.env(Manifests.container(pod, "tailscale"), "TS_USERSPACE")
                        .map(EnvVar::getValue))
                .hasValue("true");
        assertThat(Manifests.volume(pod, "tailscale-token").getProjected()).isNotNull();
        assertThat(m.all()).extracting(o -> o.getKind()).contains("Role", "RoleBinding");
        AgentPodExpectations.assertSecure(d.getSpec().getTemplate());
        AgentPodExpectations.assertWired(d.getSpec().getTemplate());
    }

    @Test
    void secrets_areMountedOrReferencedNeverInlined() {
        Manifests m = render(t -> t.withValuesFile(CHART.resolve("ci/deployment-values.yaml"))
                .set("sinks.otlp.enabled", "true")
                .set("sinks.otlp.endpoint", "https://collector:4317")
                .set("sinks.otlp.headersFromSecrets[0].header", "x-api-key")
                .set("sinks.otlp.headersFromSecrets[0].secretName", "vendor")
                .set("sinks.otlp.headersFromSecrets[0].key", "api-key"));
        PodSpec pod = m.workloadPod().getSpec();
        var agent = Manifests.container(pod, "derpwatch");
        EnvVar jaas = Manifests.env(agent, "DERPWATCH_KAFKA_SASL_JAAS_CONFIG").orElseThrow();
        assertThat(jaas.getValueFrom().getSecretKeyRef().getName()).isEqualTo("kafka-credentials");
        assertThat(Manifests.volume(pod, "otlp-headers")
                        .getProjected()
                        .getSources()
                        .get(0)
                        .getSecret()
                        .getName())
                .isEqualTo("vendor");
        assertThat(AgentPodExpectations.mount(agent, "/etc/derpwatch/secrets/otlp-headers")
                        .getReadOnly())
                .isTrue();
        assertThat(AgentPodExpectations.mount(agent, "/etc/derpwatch/secrets/kafka-tls")
                        .getReadOnly())
                .isTrue();
        String conf = AgentPodExpectations.mountedConfig(m.workloadPod(), m.configMaps());
        assertThat(conf)
                .contains("\"x-api-key\" = \"/etc/derpwatch/secrets/otlp-headers/x-api-key\"")
                .contains("${?DERPWATCH_KAFKA_SASL_JAAS_CONFIG}")
                .contains("\"security.protocol\" = \"SASL_SSL\"")
                .doesNotContainIgnoringCase("password");
        AgentPodExpectations.assertAgentAccepts(conf, scratch);
    }

    @Test
    void configChecksum_changesWithTheConfigOnly() {
        String a = checksum(render(t -> t));
        String b = checksum(render(t -> t.set("config.statusInterval", "30s")));
        String c = checksum(render(t -> t.set("podAnnotations.team", "net")));
        assertThat(b).isNotEqualTo(a);
        assertThat(c).isEqualTo(a);
    }

    private static String checksum(Manifests m) {
        return m.workloadPod().getMetadata().getAnnotations().get("checksum/config");
    }

    @Test
    void podMonitor_isRenderedOnlyWhenTheAgentServesMetrics() {
        assertThat(render(t -> t.set("metrics.podMonitor.enabled", "true")).custom("PodMonitor"))
                .as("podMonitor without metrics.enabled")
                .isEmpty();
        Manifests m = render(t -> t.set("metrics.enabled", "true").set("metrics.podMonitor.enabled", "true"));
        GenericKubernetesResource pm = m.custom("PodMonitor").orElseThrow();
        assertThat(pm.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
        @SuppressWarnings("unchecked")
        Map<String, Object> endpoint = (Map<String, Object>)
                ((List<?>) ((Map<?, ?>) pm.getAdditionalProperties().get("spec")).get("podMetricsEndpoints")).get(0);
        assertThat(endpoint).containsEntry("port", "admin").containsEntry("path", "/metrics");
        assertThat(AgentPodExpectations.mountedConfig(m.workloadPod(), m.configMaps()))
                .contains("admin.prometheus.enabled = true");
    }

    @Test
    void prometheusRule_carriesTheRuleFileOfDeployPrometheus() throws IOException {
        assertThat(CHART.resolve("files/derpwatch.rules.yaml"))
                .as("the chart's copy of deploy/prometheus/derpwatch.rules.yaml")
                .hasSameTextualContentAs(Repository.path("deploy/prometheus/derpwatch.rules.yaml"));
        GenericKubernetesResource rule = render(t -> t.set("prometheusRule.enabled", "true"))
                .custom("PrometheusRule")
                .orElseThrow();
        Map<?, ?> spec = (Map<?, ?>) rule.getAdditionalProperties().get("spec");
        List<?> groups = (List<?>) spec.get("groups");
        assertThat(groups.stream().map(g -> String.valueOf(((Map<?, ?>) g).get("name"))))
                .containsExactly("derpwatch.node", "derpwatch.fleet", "derpwatch.agent");
    }

    @Test
    void schema_rejectsAnUnknownKey() {
        assertThatThrownBy(() -> template(t -> t.set("sinks.otlp.endpiont", "http://x:4317")))
                .hasMessageContaining("endpiont");
    }

    @Test
    void schema_rejectsAWrongType() {
        assertThatThrownBy(() -> template(t -> t.set("hostNetwork", "yes"))).hasMessageContaining("hostNetwork");
        assertThatThrownBy(() -> template(t -> t.set("admin.port", "70000"))).hasMessageContaining("port");
    }

    @Test
    void schema_rejectsAnUnknownModeAndASecretInProducerProperties() {
        assertThatThrownBy(() -> template(t -> t.set("mode", "statefulset"))).hasMessageContaining("mode");
        assertThatThrownBy(() -> template(t -> t.set("sinks.kafka.producer.sasl\\.jaas\\.config", "inline")))
                .hasMessageContaining("sasl.jaas.config");
    }

    @Test
    void anEnabledSinkWithoutItsEndpoint_isAnErrorNamingTheValue() {
        assertThatThrownBy(() -> template(t -> t.set("sinks.otlp.enabled", "true")))
                .hasMessageContaining("sinks.otlp.endpoint is required");
    }

    @Test
    void extraConfig_isAppendedAndWins() {
        Manifests m = render(t -> t.set("extraConfig", "derpwatch.status.interval = 42s"));
        String conf = AgentPodExpectations.mountedConfig(m.workloadPod(), m.configMaps());
        assertThat(conf.indexOf("42s")).isGreaterThan(conf.indexOf("status.interval = \"10s\""));
        AgentPodExpectations.assertAgentAccepts(conf, scratch);
        assertThat(m.configMaps()).extracting(ConfigMap::getMetadata).isNotEmpty();
    }
}
