package io.derpwatch.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.derpwatch.agent.home.StatusFixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LogsCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void jsonFormat_printsOneObjectPerMatchedLine_withLineTimeSignatureSeverityAttributes() throws Exception {
        String file = StatusFixtures.tailscaleDir().resolve("logs-01.txt").toString();

        assertThat(run("logs", file, "--format", "json", "--zone", "UTC")).isZero();

        List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(13);
        JsonNode sixth = new ObjectMapper().readTree(lines.get(4));
        assertThat(sixth.get("line").asInt()).isEqualTo(6);
        assertThat(sixth.get("time").asText()).isEqualTo("2022-03-28T08:11:51Z");
        assertThat(sixth.get("signature").asText()).isEqualTo("derp_home_unreachable");
        assertThat(sixth.get("severity").asText()).isEqualTo("error");
        assertThat(sixth.get("attributes").get("tailscale.health.warning.text").asText())
                .isEqualTo("not connected to home DERP region 12");
        assertThat(sixth.get("attributes").get("tailscale.health.warnable").asText())
                .isEqualTo("overall");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void textFormat_isTheDefault_oneLinePerMatch() {
        String file = StatusFixtures.tailscaleDir().resolve("logs-05.txt").toString();

        assertThat(run("logs", file, "--zone", "UTC")).isZero();

        assertThat(out.toString().lines().toList())
                .hasSize(5)
                .anySatisfy(l -> assertThat(l)
                        .startsWith("4 ")
                        .contains("warn  restun_ignored_stopped tailscale.magicsock.restun.reason=link-change-major"));
    }

    @Test
    void missingFile_isAClearError_exit1() {
        assertThat(run("logs", "/nonexistent/tailscaled.log")).isEqualTo(1);

        assertThat(err.toString()).contains("no such file: /nonexistent/tailscaled.log");
    }

    @Test
    void badZone_isAUsageError() {
        assertThat(run("logs", "-", "--zone", "Mars/Olympus")).isEqualTo(2);
    }
}
