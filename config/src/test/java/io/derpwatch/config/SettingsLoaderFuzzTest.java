package io.derpwatch.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * Fuzzes the loader with whole config files: every input is answered with settings or a {@link SettingsException}
 * whose every problem has a file and a path, never another exception or error. Regression mode in CI (the seeds
 * in {@code src/test/resources/io/derpwatch/config/SettingsLoaderFuzzTestInputs}: the inputs that crashed or hung
 * the loader in issue 9); {@code JAZZER_FUZZ=1} to fuzz.
 */
class SettingsLoaderFuzzTest {
    private static final SettingsLoader LOADER = SettingsLoader.with(Map.of(), new Properties());

    @FuzzTest(maxDuration = "60s")
    void load_answersEveryInput_withSettingsOrLocatedProblems(byte[] content) throws IOException {
        Path file = Files.createTempFile("derpwatch-fuzz", ".conf");
        try {
            Files.write(file, content);
            try {
                DerpwatchSettings settings = LOADER.load(file);
                assertThat(settings.sinks()).isNotNull();
            } catch (SettingsException e) {
                assertThat(e.problems()).isNotEmpty().allSatisfy(p -> {
                    assertThat(p.file()).isNotBlank();
                    assertThat(p.path()).startsWith("derpwatch");
                    assertThat(p.problem()).isNotBlank();
                });
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
