package io.derpwatch.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Problems are reported at the user's file and line, never inside the jar's reference.conf (issue 7). */
class SettingsLocationsTest {
    @TempDir
    Path dir;

    private List<String> problems(String content) throws IOException {
        Path f = dir.resolve("user.conf");
        Files.writeString(f, content);
        try {
            SettingsLoader.with(Map.of(), new Properties()).load(f);
        } catch (SettingsException e) {
            return e.problems().stream().map(ConfigProblem::toString).toList();
        }
        throw new AssertionError("expected the configuration to be rejected");
    }

    private String user() {
        return dir.resolve("user.conf").toString();
    }

    @Test
    void aMissingDerpMapFile_isReportedAtTheUsersLine_notInReferenceConf() throws IOException {
        List<String> problems = problems("""
                derpwatch {
                  netcheck.derp-map.source = file
                }
                """);

        assertThat(problems)
                .containsExactly(user() + ": 2: derpwatch.netcheck.derp-map.file: no DERP map file given for "
                        + "source = file (expected file = \"/path/derpmap.json\")");
    }

    @Test
    void aProblemWithAMergedObject_isReportedAtTheUsersLine_notAsAMergeOfOrigins() throws IOException {
        List<String> problems = problems("""
                # regions is {} in reference.conf, so the value is a merge of this file and the jar's
                derpwatch.netcheck.derp-map.regions {
                  12 { RegionCode = x }
                }
                """);

        assertThat(problems)
                .containsExactly(user() + ": 2: derpwatch.netcheck.derp-map.regions: region id \"12\" out of range "
                        + "(expected 900 to 999)");
        assertThat(problems).noneMatch(p -> p.contains("merge of") || p.contains("reference.conf"));
    }

    @Test
    void aProblemWithAnInheritedSinkDefault_isReportedAtTheUsersSinkBlock() throws Exception {
        Path f = dir.resolve("user.conf");
        Files.writeString(f, """
                derpwatch.sinks {
                  human {
                    type = stdout
                  }
                }
                """);
        SinkSettings sink =
                SettingsLoader.with(Map.of(), new Properties()).load(f).sinks().get(0);
        List<ConfigProblem> problems = new java.util.ArrayList<>();

        sink.reader(problems).problem("format", "a problem with the inherited default");

        assertThat(problems)
                .singleElement()
                .asString()
                .isEqualTo(f + ": 2: derpwatch.sinks.human.format: a problem with the inherited default");
    }
}
