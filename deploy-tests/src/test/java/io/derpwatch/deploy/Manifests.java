package io.derpwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rendered manifests (helm template, kubectl kustomize) parsed with the fabric8 Kubernetes model: a wrong type is
 * a parse error, an unknown field (a typo, a field at the wrong level) is found by walking the model's
 * {@code additionalProperties}. Custom resources (PodMonitor, PrometheusRule) stay generic.
 */
final class Manifests {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private final List<HasMetadata> objects;

    private Manifests(List<HasMetadata> objects) {
        this.objects = objects;
    }

    static Manifests parse(String yaml) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : yaml.split("(?m)^---\\s*$")) {
            if (doc.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
                continue;
            }
            HasMetadata o = SERIALIZATION.unmarshal(doc);
            List<String> unknown = new ArrayList<>();
            if (!(o instanceof GenericKubernetesResource)) {
                unknownFields(o, o.getKind(), unknown);
            }
            assertThat(unknown)
                    .as("fields the Kubernetes model does not know in %s %s", o.getKind(), name(o))
                    .isEmpty();
            objects.add(o);
        }
        return new Manifests(objects);
    }

    List<HasMetadata> all() {
        return objects;
    }

    <T extends HasMetadata> List<T> ofType(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    Optional<GenericKubernetesResource> custom(String kind) {
        return objects.stream()
                .filter(o -> o instanceof GenericKubernetesResource && kind.equals(o.getKind()))
                .map(GenericKubernetesResource.class::cast)
                .findFirst();
    }

    List<ConfigMap> configMaps() {
        return ofType(ConfigMap.class);
    }

    /** The one workload (DaemonSet or Deployment) that runs derpwatch. */
    PodTemplateSpec workloadPod() {
        List<PodTemplateSpec> pods = new ArrayList<>();
        ofType(DaemonSet.class).forEach(d -> pods.add(d.getSpec().getTemplate()));
        ofType(Deployment.class).forEach(d -> pods.add(d.getSpec().getTemplate()));
        assertThat(pods).as("workloads").hasSize(1);
        return pods.get(0);
    }

    static Container container(PodSpec pod, String name) {
        return pod.getContainers().stream()
                .filter(c -> c.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container " + name + " in " + pod.getContainers()));
    }

    static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream()
                .filter(v -> v.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    static Optional<EnvVar> env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst();
    }

    static String name(HasMetadata o) {
        return o.getMetadata() == null ? "?" : o.getMetadata().getName();
    }

    private static void unknownFields(Object o, String path, List<String> out) {
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                unknownFields(e, path + "[" + i++ + "]", out);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> unknownFields(v, path + "." + k, out));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : o.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            String n = getter.getName();
            if (!n.startsWith("get") || n.equals("getClass")) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(o);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (value == null) {
                continue;
            }
            if (n.equals("getAdditionalProperties")) {
                ((Map<?, ?>) value).keySet().forEach(k -> out.add(path + "." + k));
            } else if (!(value instanceof String) && !(value instanceof Number) && !(value instanceof Boolean)) {
                unknownFields(value, path + "." + decapitalize(n.substring(3)), out);
            }
        }
    }

    private static String decapitalize(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
