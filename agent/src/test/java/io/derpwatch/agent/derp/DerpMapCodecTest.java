package io.derpwatch.agent.derp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.derpwatch.agent.home.StatusFixtures;
import io.derpwatch.config.LocalApiLimits;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The DERP-map codec: both real forms, the caps, and what it must refuse to hand to the prober. */
class DerpMapCodecTest {
    private static final DerpMapCodec CODEC = new DerpMapCodec(new LocalApiLimits(8, 100, 3, 4, 5, 2));

    @Test
    void defaultMap_fixture_readsEveryRegionAndNode() throws Exception {
        DerpMap map = new DerpMapCodec().parse(StatusFixtures.read("derpmap-default-01.json"));

        assertThat(map.regions()).hasSize(12);
        assertThat(map.regions().values()).allSatisfy(r -> assertThat(r.nodes()).isNotEmpty());
        assertThat(map.regionByCode("r1")).isPresent();
    }

    @Test
    void policyFile_fixture_readsTheDerpMapObject() throws Exception {
        DerpMap map = new DerpMapCodec().parse(StatusFixtures.read("derpmap-03-policy.json"));

        assertThat(map.regions()).isNotEmpty();
    }

    @Test
    void stunPortOutOfRange_rejectsTheMap_namingRegionNodeAndPort() {
        assertThatThrownBy(() -> parse("{\"Regions\":{\"1\":{\"Nodes\":[{\"Name\":\"1a\",\"STUNPort\":70000}]}}}"))
                .isInstanceOf(DerpMapException.class)
                .hasMessageContaining("region 1, node \"1a\": STUNPort 70000 out of range (-1 to 65535)");
    }

    @Test
    void derpPortOutOfRange_rejectsTheMap() {
        assertThatThrownBy(() -> parse("{\"Regions\":{\"1\":{\"Nodes\":[{\"DERPPort\":-5}]}}}"))
                .isInstanceOf(DerpMapException.class)
                .hasMessageContaining("DERPPort -5 out of range");
    }

    @Test
    void crlfInAHostName_rejectsTheMap_andTheMessageShowsItEscaped() {
        assertThatThrownBy(() -> parse(
                        "{\"Regions\":{\"1\":{\"Nodes\":[{\"Name\":\"1a\",\"HostName\":\"a.example\\r\\nX: y\"}]}}}"))
                .isInstanceOf(DerpMapException.class)
                .hasMessageContaining("HostName \"a.example\\u000d\\u000aX: y\" is not a DNS name or IP literal")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\r", "\n"));
    }

    @Test
    void nestedJsonWhereScalarsBelong_readsAsEmpty_withoutAnException() throws DerpMapException {
        DerpMap map =
                parse("{\"Regions\":{\"1\":{\"RegionCode\":{\"a\":[1]},\"Nodes\":[[1],null,{\"HostName\":[{}]}]}},"
                        + "\"HomeParams\":{\"RegionScore\":{\"1\":{\"x\":[]}}}}");

        assertThat(map.regions().get(1).code()).isEmpty();
        assertThat(map.regions().get(1).nodes())
                .singleElement()
                .satisfies(n -> assertThat(n.hostName()).isEmpty());
        assertThat(map.regionScore()).containsEntry(1, 0.0);
    }

    @Test
    void deepNesting_isRejected_namingMaxJsonDepth_evenWhereItIsNotRead() {
        assertThatThrownBy(() -> parse("{\"X\":" + "[".repeat(30) + "]".repeat(30) + "}"))
                .isInstanceOf(DerpMapException.class)
                .hasMessageContaining("deeper than 8")
                .hasMessageContaining("derpwatch.localapi.limits.max-json-depth");
    }

    @Test
    void nesting1500Deep_withTheDefaults_isADerpMapException_notANullPointerException() {
        // past Jackson's own limit (1000) the old codec read the error's null location and threw an NPE
        String doc = "{\"Regions\":" + "[".repeat(1500) + "]".repeat(1500) + "}";

        assertThatThrownBy(() -> new DerpMapCodec().parse(doc.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DerpMapException.class)
                .hasMessageContaining("deeper than 64 (cap derpwatch.localapi.limits.max-json-depth)");
    }

    @Test
    void regionsOverTheCap_areRejected_namingMaxRegions() {
        String regions = IntStream.range(1, 7).mapToObj(i -> "\"" + i + "\":{}").collect(Collectors.joining(","));

        assertThatThrownBy(() -> parse("{\"Regions\":{" + regions + "}}"))
                .isInstanceOf(DerpMapException.class)
                .hasMessageContaining("more than 5 regions")
                .hasMessageContaining("derpwatch.localapi.limits.max-regions");
    }

    @Test
    void nodesOverTheCap_areRejected_namingMaxNodesPerRegion() {
        assertThatThrownBy(() -> parse("{\"Regions\":{\"1\":{\"Nodes\":[{},{},{}]}}}"))
                .isInstanceOf(DerpMapException.class)
                .hasMessageContaining("derpwatch.localapi.limits.max-nodes-per-region");
    }

    @Test
    void nullDocument_isTheEmptyMap_andANullRegionIsSkipped() throws DerpMapException {
        assertThat(parse("null")).isEqualTo(DerpMap.EMPTY);
        assertThat(parse("{\"Regions\":{\"1\":null,\"2\":{\"RegionCode\":\"b\"}}}")
                        .regions())
                .containsOnlyKeys(2);
    }

    @Test
    void regionsThatAreNotAnObject_areRejected() {
        assertThatThrownBy(() -> parse("{\"Regions\":[1]}"))
                .isInstanceOf(DerpMapException.class)
                .hasMessageContaining("\"Regions\" must be an object keyed by region id");
    }

    private static DerpMap parse(String json) throws DerpMapException {
        return CODEC.parse(json.getBytes(StandardCharsets.UTF_8));
    }
}
