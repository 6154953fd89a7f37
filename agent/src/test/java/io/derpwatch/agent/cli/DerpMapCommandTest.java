package io.derpwatch.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.derpwatch.agent.home.StatusFixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DerpMapCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void defaultMapFile_printsOneRowPerRegion_withNodesStunPortAndFlags() {
        String file =
                StatusFixtures.tailscaleDir().resolve("derpmap-default-01.json").toString();

        assertThat(run("derpmap", "--derp-map", file)).as(err.toString()).isZero();

        assertThat(out.toString().lines().findFirst())
                .hasValueSatisfying(
                        h -> assertThat(h).startsWith("ID    CODE     NAME").contains("STUN", "FLAGS"));
        assertThat(out.toString()).containsPattern("(?m)^1 +r1 +r1 +3 +3478");
    }

    @Test
    void policyMapOmittingDefaults_marksEveryRegionCustom_asJson() throws Exception {
        String file =
                StatusFixtures.tailscaleDir().resolve("derpmap-03-policy.json").toString();

        assertThat(run("derpmap", "--derp-map", file, "--format", "json"))
                .as(err.toString())
                .isZero();

        JsonNode doc = new ObjectMapper().readTree(out.toString());
        assertThat(doc.get("Regions").size()).isPositive();
        if (doc.get("OmitDefaultRegions").asBoolean()) {
            doc.get("Regions")
                    .forEach(r -> assertThat(r.get("Custom").asBoolean()).isTrue());
        }
    }

    @Test
    void aMissingMap_exit1() {
        assertThat(run("derpmap", "--derp-map", "/nonexistent/map.json")).isEqualTo(1);
        assertThat(err.toString()).contains("derpwatch derpmap:");
    }
}
