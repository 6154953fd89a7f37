package io.derpwatch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A feature adds its configuration with one class and a reference.conf block: {@link ExampleSettings} (test
 * sources) with its {@code derpwatch.example} block in the test reference.conf and one line in
 * META-INF/services/io.derpwatch.config.SettingsSection. Nothing in the loader or DerpwatchSettings changes.
 */
class SettingsSectionTest {
    @TempDir
    Path dir;

    private DerpwatchSettings load(String content) throws Exception {
        Path f = dir.resolve("user.conf");
        Files.writeString(f, content);
        return SettingsLoader.with(Map.of(), new Properties()).load(f);
    }

    private List<String> problems(String content) throws IOException {
        try {
            load(content);
        } catch (SettingsException e) {
            return e.problems().stream().map(ConfigProblem::toString).toList();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected the configuration to be rejected");
    }

    @Test
    void aSection_readsItsDefaults_fromItsReferenceBlock() throws Exception {
        ExampleSettings example = load("").section(ExampleSettings.Section.class);

        assertThat(example).isEqualTo(new ExampleSettings(true, Duration.ofSeconds(30)));
    }

    @Test
    void aSection_readsTheUsersValues() throws Exception {
        ExampleSettings example =
                load("derpwatch.example { enabled = false, interval = 2s }\n").section(ExampleSettings.Section.class);

        assertThat(example).isEqualTo(new ExampleSettings(false, Duration.ofSeconds(2)));
    }

    @Test
    void anUnknownKeyInASection_isReportedWithASuggestionFromItsBlock() throws IOException {
        assertThat(problems("derpwatch.example.intervall = 2s\n"))
                .containsExactly(dir.resolve("user.conf") + ": 1: derpwatch.example.intervall: unknown key "
                        + "(did you mean \"interval\"? expected one of enabled, interval)");
    }

    @Test
    void aSectionsOwnValidation_isReportedWithEveryOtherProblem() throws IOException {
        assertThat(problems("derpwatch {\n  example.interval = 1ms\n  status.interval = banana\n}\n"))
                .containsExactly(
                        dir.resolve("user.conf") + ": 2: derpwatch.example.interval: duration \"1ms\" is below the "
                                + "minimum 1s (expected at least 1s)",
                        dir.resolve("user.conf") + ": 3: derpwatch.status.interval: bad duration \"banana\" "
                                + "(expected a duration such as 10s or 500ms)");
    }

    @Test
    void anUnregisteredSection_isAClearError() throws Exception {
        DerpwatchSettings settings = load("");

        assertThatThrownBy(() -> settings.section(Unregistered.class))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not registered in META-INF/services/io.derpwatch.config.SettingsSection");
    }

    static final class Unregistered implements SettingsSection<String> {
        @Override
        public String key() {
            return "unregistered";
        }

        @Override
        public String read(SettingsReader reader) {
            return "";
        }
    }
}
