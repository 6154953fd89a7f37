package io.derpwatch.agent.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.resources.Resource;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResourceFactoryTest {

    private static String attr(Resource r, String key) {
        return r.getAttribute(AttributeKey.stringKey(key));
    }

    @Test
    void resource_carriesServiceHostAndKubernetesAttributes() {
        Resource r = new ResourceFactory(Map.of(
                        "HOSTNAME",
                        "node-a",
                        "K8S_NODE_NAME",
                        "node-a",
                        "K8S_POD_NAME",
                        "derpwatch-x1",
                        "K8S_NAMESPACE",
                        "monitoring"))
                .create(Map.of());

        assertThat(attr(r, "service.name")).isEqualTo("derpwatch");
        assertThat(attr(r, "service.version")).isNotBlank();
        assertThat(attr(r, "host.name")).isEqualTo("node-a");
        assertThat(attr(r, "k8s.node.name")).isEqualTo("node-a");
        assertThat(attr(r, "k8s.pod.name")).isEqualTo("derpwatch-x1");
        assertThat(attr(r, "k8s.namespace.name")).isEqualTo("monitoring");
    }

    @Test
    void kubernetesAttributes_areAbsent_outsideACluster() {
        Resource r = new ResourceFactory(Map.of("HOSTNAME", "laptop")).create(Map.of());

        assertThat(attr(r, "k8s.node.name")).isNull();
        assertThat(attr(r, "k8s.pod.name")).isNull();
    }

    @Test
    void otelEnvironment_andConfig_overrideInThatOrder() {
        Resource r = new ResourceFactory(Map.of(
                        "OTEL_RESOURCE_ATTRIBUTES",
                                "deployment.environment=prod,team=net%20ops,service.name=from-attrs,bad",
                        "OTEL_SERVICE_NAME", "edge-derpwatch"))
                .create(Map.of("team", "sre"));

        assertThat(attr(r, "deployment.environment")).isEqualTo("prod");
        assertThat(attr(r, "service.name")).isEqualTo("edge-derpwatch");
        assertThat(attr(r, "team")).isEqualTo("sre");
    }

    @Test
    void otelResourceAttributes_arePercentDecoded_andMalformedEntriesIgnored() {
        assertThat(ResourceFactory.parseOtelResourceAttributes("a=x%2Cy,b=1+1,=z,c"))
                .containsExactly(Map.entry("a", "x,y"), Map.entry("b", "1+1"));
    }
}
