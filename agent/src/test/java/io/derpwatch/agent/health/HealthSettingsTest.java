package io.derpwatch.agent.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.SettingsException;
import io.derpwatch.config.SettingsLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code derpwatch.health}, a section of the agent module: the defaults of its reference.conf, a user's values, and
 * a located error per bad value or unknown key, all through the loader.
 */
class HealthSettingsTest {
    @TempDir
    Path dir;

    @Test
    void defaults_areTheDocumentedBounds() throws Exception {
        HealthSettings health =
                SettingsLoader.with(Map.of(), new Properties()).load(null).section(HealthSettings.Section.class);

        assertThat(health).isEqualTo(new HealthSettings(3, Duration.ofSeconds(10), Duration.ofMinutes(15)));
    }

    @Test
    void userValues_overrideTheDefaults() throws Exception {
        HealthSettings health =
                load("derpwatch.health { stalled-after-intervals = 5, max-loop-lag = 2s, max-queued-age = 1h }")
                        .section(HealthSettings.Section.class);

        assertThat(health).isEqualTo(new HealthSettings(5, Duration.ofSeconds(2), Duration.ofHours(1)));
    }

    @Test
    void valuesBelowTheirMinimum_areEachALocatedProblem() throws Exception {
        String text = "derpwatch.health {\n  stalled-after-intervals = 0\n  max-loop-lag = 10ms\n"
                + "  max-queued-age = 1s\n}\n";

        assertThatThrownBy(() -> load(text))
                .isInstanceOfSatisfying(
                        SettingsException.class,
                        e -> assertThat(e.problems())
                                .extracting(ConfigProblem::path, ConfigProblem::line)
                                .containsExactly(
                                        org.assertj.core.groups.Tuple.tuple(
                                                "derpwatch.health.stalled-after-intervals", 2),
                                        org.assertj.core.groups.Tuple.tuple("derpwatch.health.max-loop-lag", 3),
                                        org.assertj.core.groups.Tuple.tuple("derpwatch.health.max-queued-age", 4)));
    }

    @Test
    void aDurationThatIsNotOne_isReportedOnce() throws Exception {
        assertThatThrownBy(() -> load("derpwatch.health.max-loop-lag = soon\n"))
                .isInstanceOfSatisfying(
                        SettingsException.class,
                        e -> assertThat(e.problems())
                                .singleElement()
                                .satisfies(p -> assertThat(p.problem()).contains("bad duration")));
    }

    @Test
    void anUnknownKey_isALocatedProblem_withASuggestion() {
        assertThatThrownBy(() -> load("derpwatch.health {\n  max-loop-lags = 2s\n}\n"))
                .isInstanceOfSatisfying(
                        SettingsException.class,
                        e -> assertThat(e.problems()).singleElement().satisfies(p -> {
                            assertThat(p.path()).isEqualTo("derpwatch.health.max-loop-lags");
                            assertThat(p.line()).isEqualTo(2);
                            assertThat(p.problem()).contains("unknown key").contains("max-loop-lag");
                        }));
    }

    private io.derpwatch.config.DerpwatchSettings load(String text) throws Exception {
        Path file = dir.resolve("derpwatch.conf");
        Files.writeString(file, text);
        return SettingsLoader.with(Map.of(), new Properties()).load(file);
    }
}
