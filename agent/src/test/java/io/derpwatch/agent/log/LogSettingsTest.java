package io.derpwatch.agent.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsException;
import io.derpwatch.config.SettingsLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

/** {@code derpwatch.log}, a section of the agent module, read and checked by the loader. */
class LogSettingsTest {
    @TempDir
    Path dir;

    @Test
    void defaults_areInfoAndText() throws Exception {
        assertThat(SettingsLoader.with(Map.of(), new Properties()).load(null).section(LogSettings.Section.class))
                .isEqualTo(new LogSettings(Level.INFO, LogFormat.TEXT));
    }

    @Test
    void userValues_overrideTheDefaults_anyCase() throws Exception {
        assertThat(load("derpwatch.log { level = WARNING, format = json }").section(LogSettings.Section.class))
                .isEqualTo(new LogSettings(Level.WARN, LogFormat.JSON));
    }

    @Test
    void badValues_areEachALocatedProblem() {
        assertThatThrownBy(() -> load("derpwatch.log {\n  level = loud\n  format = [x]\n}\n"))
                .isInstanceOfSatisfying(
                        SettingsException.class,
                        e -> assertThat(e.problems())
                                .extracting(ConfigProblem::path, ConfigProblem::line)
                                .containsExactly(
                                        org.assertj.core.groups.Tuple.tuple("derpwatch.log.level", 2),
                                        org.assertj.core.groups.Tuple.tuple("derpwatch.log.format", 3)));
    }

    @Test
    void anUnknownKey_isALocatedProblem() {
        assertThatThrownBy(() -> load("derpwatch.log.levels = debug\n"))
                .isInstanceOfSatisfying(
                        SettingsException.class,
                        e -> assertThat(e.problems())
                                .singleElement()
                                .satisfies(p -> assertThat(p.problem())
                                        .contains("unknown key")
                                        .contains("level")));
    }

    private DerpwatchSettings load(String text) throws Exception {
        Path file = dir.resolve("derpwatch.conf");
        Files.writeString(file, text);
        return SettingsLoader.with(Map.of(), new Properties()).load(file);
    }
}
