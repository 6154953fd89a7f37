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

/** {@code derpwatch.health}: the defaults of reference.conf, a user's values, and a located error per bad one. */
class HealthSettingsTest {
    @TempDir
    Path dir;

    @Test
    void defaults_areTheDocumentedBounds() throws Exception {
        HealthSettings health = HealthSettings.from(
                SettingsLoader.with(Map.of(), new Properties()).load(null));

        assertThat(health).isEqualTo(new HealthSettings(3, Duration.ofSeconds(10), Duration.ofMinutes(15)));
    }

    @Test
    void userValues_overrideTheDefaults() throws Exception {
        HealthSettings health = HealthSettings.from(
                load("derpwatch.health { stalled-after-intervals = 5, max-loop-lag = 2s, max-queued-age = 1h }"));

        assertThat(health).isEqualTo(new HealthSettings(5, Duration.ofSeconds(2), Duration.ofHours(1)));
    }

    @Test
    void valuesBelowTheirMinimum_areEachALocatedProblem() throws Exception {
        var settings = load("derpwatch.health {\n  stalled-after-intervals = 0\n  max-loop-lag = 10ms\n"
                + "  max-queued-age = 1s\n}\n");

        assertThatThrownBy(() -> HealthSettings.from(settings))
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
        var settings = load("derpwatch.health.max-loop-lag = soon\n");

        assertThatThrownBy(() -> HealthSettings.from(settings))
                .isInstanceOfSatisfying(
                        SettingsException.class,
                        e -> assertThat(e.problems())
                                .singleElement()
                                .satisfies(p -> assertThat(p.problem()).contains("bad duration")));
    }

    private io.derpwatch.config.DerpwatchSettings load(String text) throws Exception {
        Path file = dir.resolve("derpwatch.conf");
        Files.writeString(file, text);
        return SettingsLoader.with(Map.of(), new Properties()).load(file);
    }
}
