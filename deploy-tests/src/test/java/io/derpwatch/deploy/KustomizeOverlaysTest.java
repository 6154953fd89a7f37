package io.derpwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code kubectl kustomize deploy/kubernetes/<overlay>} (offline), checked like the chart's output. */
class KustomizeOverlaysTest {
    @TempDir
    Path scratch;

    private static final java.util.Map<String, String> BUILT = new java.util.concurrent.ConcurrentHashMap<>();

    private static Manifests build(String overlay) {
        return Manifests.parse(BUILT.computeIfAbsent(overlay, KustomizeOverlaysTest::kustomize));
    }

    private static String kustomize(String overlay) {
        ExternalTool kubectl = ExternalTool.require("kubectl", "the Kubernetes client, e.g. apt-get install kubectl");
        String yaml = kubectl.run(
                        Duration.ofMinutes(2),
                        "kustomize",
                        Repository.path("deploy/kubernetes/" + overlay).toString())
                .assertSuccess("kubectl kustomize " + overlay)
                .stdout();
        return yaml;
    }

    @ParameterizedTest
    @ValueSource(strings = {"daemonset", "sidecar"})
    void overlay_buildsSecureWiredManifestsWhoseConfigTheAgentAccepts(String overlay) {
        Manifests m = build(overlay);
        PodTemplateSpec pod = m.workloadPod();
        AgentPodExpectations.assertSecure(pod);
        AgentPodExpectations.assertWired(pod);
        String conf = AgentPodExpectations.mountedConfig(pod, m.configMaps());
        AgentPodExpectations.assertAgentAccepts(conf, scratch);
        assertThat(m.configMaps())
                .allSatisfy(cm -> assertThat(cm.getMetadata().getName())
                        .as("generated ConfigMap names carry a content hash (pods restart on change)")
                        .matches("derpwatch-config-[a-z0-9]{10}"));
        assertThat(m.ofType(ServiceAccount.class))
                .filteredOn(sa -> sa.getMetadata().getName().equals("derpwatch"))
                .singleElement()
                .satisfies(
                        sa -> assertThat(sa.getAutomountServiceAccountToken()).isFalse());
    }

    @Test
    void daemonset_runsOnEveryNodeOnTheHostNetworkWithTheHostSocket() {
        DaemonSet ds = build("daemonset").ofType(DaemonSet.class).get(0);
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        assertThat(pod.getHostNetwork()).isTrue();
        assertThat(pod.getDnsPolicy()).isEqualTo("ClusterFirstWithHostNet");
        assertThat(pod.getTolerations())
                .anySatisfy(t -> assertThat(t.getOperator()).isEqualTo("Exists"));
        assertThat(Manifests.volume(pod, "tailscale-socket").getHostPath().getPath())
                .isEqualTo("/var/run/tailscale");
        assertThat(Manifests.volume(pod, "queue").getEmptyDir()).isNotNull();
        assertThat(ds.getMetadata().getNamespace()).isEqualTo("derpwatch");
    }

    @Test
    void sidecar_sharesTheSocketThroughAnEmptyDirAndGivesTheTokenToTailscaleOnly() {
        PodSpec pod = build("sidecar").workloadPod().getSpec();
        assertThat(pod.getContainers()).extracting(c -> c.getName()).containsExactly("tailscale", "derpwatch");
        assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
        assertThat(Manifests.volume(pod, "tailscale-socket").getEmptyDir()).isNotNull();
        assertThat(Manifests.volume(pod, "tailscale-token").getProjected()).isNotNull();
    }
}
