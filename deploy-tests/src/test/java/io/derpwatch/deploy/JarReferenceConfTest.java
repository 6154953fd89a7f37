package io.derpwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.ConfigFactory;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The jar's {@code reference.conf} is the modules' files merged (agent, config, sinks, as the shade plugin appends
 * them) with every comment line blank (agent/pom.xml): the same values at the same line numbers, no comments.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JarReferenceConfTest {
    private List<String> jarLines;
    private List<String> sourceLines;

    @BeforeAll
    void read() throws Exception {
        Path jar = Repository.path("agent/target/derpwatch.jar");
        if (!Files.isRegularFile(jar)) {
            String message = "agent/target/derpwatch.jar is not built (run ./mvnw -B verify, or package first)";
            if ("true".equals(System.getenv("CI"))) {
                fail(message);
            }
            org.junit.jupiter.api.Assumptions.abort(message);
        }
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry("reference.conf");
            assertThat(entry).as("reference.conf in the jar").isNotNull();
            try (InputStream in = zip.getInputStream(entry)) {
                jarLines = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                        .lines()
                        .toList();
            }
        }
        // the shade plugin's AppendingTransformer writes a newline after each file
        StringBuilder merged = new StringBuilder();
        for (String module : List.of("agent", "config", "sinks")) {
            merged.append(Repository.read(module + "/src/main/resources/reference.conf"))
                    .append('\n');
        }
        sourceLines = merged.toString().lines().toList();
    }

    private static boolean comment(String line) {
        String s = line.strip();
        return s.startsWith("#") || s.startsWith("//");
    }

    @Test
    void everyLineIsTheSourcesLine_orBlankWhereTheSourceHasAComment() {
        assertThat(sourceLines).as("the sources have comments to blank").anyMatch(JarReferenceConfTest::comment);
        assertThat(jarLines).hasSameSizeAs(sourceLines).noneMatch(JarReferenceConfTest::comment);
        for (int i = 0; i < sourceLines.size(); i++) {
            String expected = comment(sourceLines.get(i)) ? "" : sourceLines.get(i);
            assertThat(jarLines.get(i)).as("line %d", i + 1).isEqualTo(expected);
        }
    }

    @Test
    void valuesAreTheSources() {
        assertThat(ConfigFactory.parseString(String.join("\n", jarLines)).root())
                .isEqualTo(ConfigFactory.parseString(String.join("\n", sourceLines))
                        .root());
    }
}
