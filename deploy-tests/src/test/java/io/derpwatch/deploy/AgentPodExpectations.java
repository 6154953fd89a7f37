package io.derpwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** What every manifest that runs derpwatch must get right, whichever tool rendered it. */
final class AgentPodExpectations {
    static final String SOCKET = "/var/run/tailscale/tailscaled.sock";

    private AgentPodExpectations() {}

    /** Non-root, read-only, no privilege escalation, no capabilities, RuntimeDefault seccomp, no API token. */
    static void assertSecure(PodTemplateSpec template) {
        PodSpec pod = template.getSpec();
        assertThat(pod.getAutomountServiceAccountToken())
                .as("automountServiceAccountToken")
                .isFalse();
        assertThat(pod.getSecurityContext().getRunAsNonRoot())
                .as("pod runAsNonRoot")
                .isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        for (Container c : pod.getContainers()) {
            SecurityContext sc = c.getSecurityContext();
            assertThat(sc).as("securityContext of %s", c.getName()).isNotNull();
            assertThat(sc.getAllowPrivilegeEscalation())
                    .as("%s allowPrivilegeEscalation", c.getName())
                    .isFalse();
            assertThat(sc.getReadOnlyRootFilesystem())
                    .as("%s readOnlyRootFilesystem", c.getName())
                    .isTrue();
            assertThat(sc.getCapabilities().getDrop())
                    .as("%s capabilities.drop", c.getName())
                    .containsExactly("ALL");
            assertThat(sc.getCapabilities().getAdd())
                    .as("%s capabilities.add", c.getName())
                    .isNullOrEmpty();
            assertThat(sc.getPrivileged()).as("%s privileged", c.getName()).isNotEqualTo(Boolean.TRUE);
            Long uid = sc.getRunAsUser() != null
                    ? sc.getRunAsUser()
                    : pod.getSecurityContext().getRunAsUser();
            assertThat(uid)
                    .as("%s runs as a non-root uid", c.getName())
                    .isNotNull()
                    .isNotZero();
        }
        Container agent = Manifests.container(pod, "derpwatch");
        Long uid = agent.getSecurityContext().getRunAsUser() != null
                ? agent.getSecurityContext().getRunAsUser()
                : pod.getSecurityContext().getRunAsUser();
        assertThat(uid).as("derpwatch uid").isEqualTo(65532L);
        // Only the tailscale container (deployment mode) may see a ServiceAccount token, through its own volume.
        for (Container c : pod.getContainers()) {
            boolean token = c.getVolumeMounts().stream()
                    .anyMatch(m -> m.getMountPath().startsWith("/var/run/secrets/kubernetes.io"));
            assertThat(token)
                    .as("%s has a ServiceAccount token", c.getName())
                    .isEqualTo(c.getName().equals("tailscale"));
        }
    }

    /** The socket mount (read-only), TS_SOCKET, the Downward API env, probes on the admin port. */
    static void assertWired(PodTemplateSpec template) {
        PodSpec pod = template.getSpec();
        Container agent = Manifests.container(pod, "derpwatch");
        VolumeMount socketMount = mount(agent, "/var/run/tailscale");
        assertThat(socketMount.getReadOnly()).as("socket mount read-only").isTrue();
        Volume socketVolume = Manifests.volume(pod, socketMount.getName());
        if (socketVolume.getHostPath() != null) {
            assertThat(socketVolume.getHostPath().getPath()).isEqualTo("/var/run/tailscale");
        } else {
            assertThat(socketVolume.getEmptyDir())
                    .as("socket volume: hostPath or a shared emptyDir")
                    .isNotNull();
            Container tailscale = Manifests.container(pod, "tailscale");
            assertThat(mount(tailscale, "/var/run/tailscale").getName()).isEqualTo(socketMount.getName());
            assertThat(Manifests.env(tailscale, "TS_SOCKET").map(EnvVar::getValue))
                    .hasValue(SOCKET);
        }
        assertThat(Manifests.env(agent, "TS_SOCKET").map(EnvVar::getValue)).hasValue(SOCKET);
        assertThat(fieldRef(agent, "DERPWATCH_ADMIN_HOST")).isEqualTo("status.podIP");
        assertThat(fieldRef(agent, "K8S_NODE_NAME")).isEqualTo("spec.nodeName");
        assertThat(fieldRef(agent, "K8S_POD_NAME")).isEqualTo("metadata.name");
        assertThat(fieldRef(agent, "K8S_NAMESPACE")).isEqualTo("metadata.namespace");
        assertThat(agent.getPorts()).anySatisfy(p -> {
            assertThat(p.getName()).isEqualTo("admin");
            assertThat(p.getContainerPort()).isEqualTo(9479);
        });
        assertThat(agent.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(agent.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("admin");
        assertThat(agent.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(agent.getResources().getLimits()).containsKey("memory");
        assertThat(agent.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(agent.getArgs()).containsExactly("run", "--config", "/etc/derpwatch/derpwatch.conf");
        assertThat(mount(agent, "/tmp"))
                .as("a writable /tmp on the read-only root")
                .isNotNull();
        // Every file a Secret provides is mounted read-only, and every secret env var is a secretKeyRef.
        for (EnvVar e : agent.getEnv()) {
            assertThat(e.getValue() == null || !e.getName().matches("(?i).*(jaas|password|token|secret).*"))
                    .as("env %s is not inlined", e.getName())
                    .isTrue();
        }
    }

    /** The HOCON of the ConfigMap the derpwatch container mounts at /etc/derpwatch. */
    static String mountedConfig(PodTemplateSpec template, List<ConfigMap> configMaps) {
        PodSpec pod = template.getSpec();
        VolumeMount m = mount(Manifests.container(pod, "derpwatch"), "/etc/derpwatch");
        String name = Manifests.volume(pod, m.getName()).getConfigMap().getName();
        ConfigMap cm = configMaps.stream()
                .filter(c -> c.getMetadata().getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the ConfigMap " + name + " the pod mounts is not rendered"));
        assertThat(cm.getData()).containsKey("derpwatch.conf");
        return cm.getData().get("derpwatch.conf");
    }

    /** The agent's validation of that config, with the env the pod gives secrets through. */
    static void assertAgentAccepts(String hocon, Path scratch) {
        Map<String, String> podEnv = Map.of(
                "DERPWATCH_KAFKA_SASL_JAAS_CONFIG",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";");
        assertThat(AgentConfigCheck.problems(hocon, podEnv, scratch))
                .as("derpwatch validate of\n%s", hocon)
                .isEmpty();
    }

    static VolumeMount mount(Container c, String path) {
        return c.getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals(path))
                .findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + " mounts nothing at " + path));
    }

    private static String fieldRef(Container c, String env) {
        EnvVar e = Manifests.env(c, env).orElseThrow(() -> new AssertionError("no env " + env));
        return e.getValueFrom().getFieldRef().getFieldPath();
    }
}
