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

class LocalApiLimitsTest {
    @TempDir
    Path dir;

    private static SettingsLoader loader() {
        return SettingsLoader.with(Map.of(), new Properties());
    }

    @Test
    void defaults_inCodeAreTheValuesOfReferenceConf() throws Exception {
        DerpwatchSettings s = loader().load(null);

        assertThat(s.localApi().limits()).isEqualTo(LocalApiLimits.DEFAULTS);
        assertThat(s.admin().maxConnections()).isEqualTo(64);
        assertThat(s.admin().idleTimeout()).hasSeconds(10);
    }

    @Test
    void userFile_setsEachCap() throws Exception {
        Path f = Files.writeString(
                dir.resolve("a.conf"),
                "derpwatch.localapi.limits { max-json-depth = 8, max-string-length = 100, max-health-entries = 3,"
                        + " max-peers = 4, max-regions = 5, max-nodes-per-region = 6 }\n");

        assertThat(loader().load(f).localApi().limits()).isEqualTo(new LocalApiLimits(8, 100, 3, 4, 5, 6));
    }

    @Test
    void zeroDepth_isReportedWithItsKey() throws IOException {
        Path f = Files.writeString(dir.resolve("a.conf"), "derpwatch.localapi.limits.max-json-depth = 0\n");

        assertThat(problems(f))
                .anySatisfy(p -> assertThat(p)
                        .contains("derpwatch.localapi.limits.max-json-depth")
                        .contains("out of range"));
    }

    private List<String> problems(Path f) {
        try {
            loader().load(f);
            return List.of();
        } catch (SettingsException e) {
            return e.problems().stream().map(ConfigProblem::toString).toList();
        }
    }
}
