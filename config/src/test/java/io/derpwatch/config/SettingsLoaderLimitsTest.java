package io.derpwatch.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Inputs that crashed or hung the loader before (issue 9): each now gets a located problem. */
class SettingsLoaderLimitsTest {
    private static final Pattern DURATION = Pattern.compile("[0-9]+(ns|us|ms|s|m|h|d)");

    @TempDir
    Path dir;

    private static SettingsLoader loader() {
        return SettingsLoader.with(Map.of(), new Properties());
    }

    private Path file(String content) throws IOException {
        Path f = dir.resolve("derpwatch.conf");
        Files.writeString(f, content);
        return f;
    }

    /** Loads and returns the problems; any exception other than SettingsException fails the test. */
    private static List<String> problems(Path file) {
        try {
            loader().load(file);
        } catch (SettingsException e) {
            return e.problems().stream().map(ConfigProblem::toString).toList();
        }
        throw new AssertionError("expected the configuration to be rejected");
    }

    @Test
    void nesting5000Deep_isAProblemAtItsLine_notAStackOverflow() throws IOException {
        Path f = file("derpwatch {\n" + "a {".repeat(5000) + "}".repeat(5000) + "\n}\n");

        assertThat(problems(f))
                .containsExactly(f + ": 2: derpwatch: nested more than 64 levels deep "
                        + "(a derpwatch configuration is under 10 levels deep)");
    }

    @Test
    void aDottedKey5000Deep_isAProblem_notAStackOverflow() throws IOException {
        Path f = file("derpwatch.telemetry.resource-attributes." + "a.".repeat(5000) + "b = 1\n");

        assertThat(problems(f)).singleElement().asString().contains(": 1: derpwatch: nested more than 64 levels");
    }

    @Test
    void nesting800Deep_underA256KiBStack_isAnsweredWithAProblem() throws Exception {
        // 800 levels overflowed the parser under -Xss256k; the caller's stack no longer matters.
        Path f = file("derpwatch {\n" + "a {".repeat(800) + "}".repeat(800) + "\n}\n");
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread small = new Thread(null, () -> outcome.set(problemsOrError(f)), "small-stack", 256 * 1024);
        small.start();
        small.join();

        assertThat(outcome.get()).asString().contains("nested more than 64 levels deep");
    }

    private static Object problemsOrError(Path f) {
        try {
            return problems(f);
        } catch (Throwable t) {
            return t;
        }
    }

    @Test
    void appendToASinkType_isAProblem_notNotResolved() throws IOException {
        Path f = file("derpwatch.sinks.main {\n  type += otlp\n}\n");

        assertThat(problems(f)).singleElement().asString().startsWith(f + ": 2: derpwatch.sinks.main.type: ");
    }

    @Test
    void aSelfReferenceCycle_isAProblem() throws IOException {
        Path f = file("x = ${y}\ny = ${x}\nderpwatch.status.interval = ${x}\n");

        assertThat(problems(f)).singleElement().asString().startsWith(f + ": ").contains("derpwatch: ");
    }

    @Test
    void tenThousandDottedKeys_areRefusedBeforeTheQuadraticParse() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            sb.append("derpwatch.telemetry.resource-attributes.k").append(i).append(" = v\n");
        }
        Path f = file(sb.toString());

        assertThat(problems(f))
                .containsExactly(f + ": 1001: derpwatch: more than 1000 fields (a derpwatch "
                        + "configuration has a few dozen; put large data such as a DERP map in its own file)");
    }

    /** 40 dotted resource attributes per block of lines: more than one parse chunk. */
    private static String manyDottedKeys(int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            sb.append("derpwatch.telemetry.resource-attributes.k")
                    .append(i)
                    .append(" = v")
                    .append(i)
                    .append('\n');
        }
        return sb.toString();
    }

    @Test
    void aFileParsedInChunks_meansWhatTheWholeFileMeans() throws Exception {
        Path f = file("derpwatch.status.interval = 2s\n"
                + manyDottedKeys(0, 100)
                + "derpwatch.telemetry.resource-attributes.k5 = later\n"
                + "derpwatch.status.interval = ${derpwatch.status.interval}\n"
                + manyDottedKeys(100, 200)
                + "derpwatch.status.interval = 3s\n");

        DerpwatchSettings s = loader().load(f);

        assertThat(s.telemetry().resourceAttributes())
                .hasSize(200)
                .containsEntry("k0", "v0")
                .containsEntry("k5", "later")
                .containsEntry("k199", "v199");
        assertThat(s.status().interval()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void aProblemDeepInALargeFile_isReportedAtItsOwnLine() throws IOException {
        Path f = file(manyDottedKeys(0, 150) + "derpwatch.status.intervall = 2s\n" + manyDottedKeys(150, 300));

        assertThat(problems(f))
                .singleElement()
                .asString()
                .startsWith(f + ": 151: derpwatch.status.intervall: unknown key");
    }

    @Test
    void aSyntaxErrorDeepInALargeFile_isReportedAtItsOwnLine() throws IOException {
        Path f = file(manyDottedKeys(0, 150) + "derpwatch.status { interval = 2s\n" + manyDottedKeys(150, 300));

        assertThat(problems(f)).singleElement().asString().startsWith(f + ": ").contains("syntax error");
    }

    @Test
    void aFileOverOneMebibyte_isRefusedUnread() throws IOException {
        Path f = file("# padding\n".repeat(120_000));

        assertThat(problems(f)).singleElement().asString().contains("config file larger than 1024 KiB");
    }

    @Test
    void anInclude_isRefused_soNoDeviceOrURLIsRead() throws IOException {
        Path f = file("include file(\"/dev/zero\")\n");

        assertThat(problems(f)).singleElement().asString().contains("include \"/dev/zero\" is not supported");
    }

    @Test
    void aFieldCountAtTheLimit_isAccepted() throws Exception {
        StringBuilder sb = new StringBuilder("derpwatch.telemetry.resource-attributes {\n");
        for (int i = 0; i < 990; i++) {
            sb.append("  k").append(i).append(" = v\n");
        }
        Path f = file(sb.append("}\n").toString());

        assertThat(loader().load(f).telemetry().resourceAttributes()).hasSize(990);
    }

    /**
     * Every duration under the blocks that the config module's sections read (sinks are read by the sinks module;
     * a block without a section, read elsewhere with {@code settings.config()}, checks its own values).
     */
    private static List<String> durationKeys() {
        List<String> sections = new ArrayList<>();
        java.util.ServiceLoader.load(SettingsSection.class).forEach(s -> sections.add(s.key() + "."));
        Config reference = ConfigFactory.parseResources(SettingsLoader.class.getClassLoader(), "reference.conf")
                .resolve()
                .getConfig("derpwatch");
        List<String> keys = new ArrayList<>();
        for (var e : reference.entrySet()) {
            ConfigValue v = e.getValue();
            if (sections.stream().noneMatch(e.getKey()::startsWith)) {
                continue;
            }
            if (v.valueType() == ConfigValueType.STRING
                    && DURATION.matcher(v.unwrapped().toString()).matches()) {
                keys.add("derpwatch." + e.getKey());
            }
        }
        return keys;
    }

    @Test
    void everyIntervalAndTimeout_rejects1ns_naming_itsMinimum() throws IOException {
        List<String> keys = durationKeys();
        assertThat(keys).contains("derpwatch.status.interval", "derpwatch.netcheck.derp-map.refresh-interval");
        StringBuilder sb = new StringBuilder();
        keys.forEach(k -> sb.append(k).append(" = 1ns\n"));
        Path f = file(sb.toString());

        List<String> problems = problems(f);

        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            String at = f + ": " + (i + 1) + ": " + key + ": duration \"1ns\" is below the minimum ";
            assertThat(problems).as(key).anySatisfy(p -> assertThat(p).startsWith(at));
        }
        assertThat(problems).hasSameSizeAs(keys);
    }

    @Test
    void everyDurationInReferenceConf_documentsItsMinimum() {
        Config reference = ConfigFactory.parseResources(SettingsLoader.class.getClassLoader(), "reference.conf")
                .resolve();
        for (String key : durationKeys()) {
            assertThat(String.join(" ", reference.getValue(key).origin().comments()))
                    .as(key)
                    .contains("minimum");
        }
    }

    @Test
    void theMinimum_isAccepted() throws Exception {
        Path f = file("derpwatch.status.interval = 100ms\nderpwatch.netcheck.interval = 100ms\n");

        DerpwatchSettings s = loader().load(f);

        assertThat(s.status().interval()).isEqualTo(Duration.ofMillis(100));
        assertThat(s.netcheck().interval()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void aDerpRegionInTheConfig_withABadPortOrACrlfHostName_isLocatedAtItsLine() throws IOException {
        Path f = file("""
                derpwatch.netcheck.derp-map.regions {
                  900 {
                    RegionCode = lab
                    Nodes = [
                      { Name = 900a, HostName = "derp.example\\r\\nX-Evil: 1", STUNPort = 70000 }
                      { Name = 900b, HostName = ok.example, DERPPort = -5 }
                    ]
                  }
                }
                """);

        assertThat(problems(f))
                .containsExactlyInAnyOrder(
                        f + ": 5: derpwatch.netcheck.derp-map.regions.900.Nodes.0.HostName: contains a control "
                                + "character (U+000D) (expected one line of printable text, no CR or LF)",
                        f + ": 5: derpwatch.netcheck.derp-map.regions.900.Nodes.0.STUNPort: value 70000 out of "
                                + "range (expected -1 to 65535)",
                        f + ": 6: derpwatch.netcheck.derp-map.regions.900.Nodes.1.DERPPort: value -5 out of range "
                                + "(expected 0 to 65535)");
    }

    @Test
    void aFileKey_namingADevice_isAProblem_notAnEndlessRead() {
        List<ConfigProblem> problems = new ArrayList<>();
        SettingsReader r =
                new SettingsReader(ConfigFactory.parseString("token-file = \"/dev/zero\""), "derpwatch.x", problems);

        assertThat(r.fileText("token-file", "/dev/zero", 1024)).isEmpty();
        assertThat(problems)
                .singleElement()
                .asString()
                .contains("derpwatch.x.token-file: \"/dev/zero\" is not a regular file");
    }

    @Test
    void aFileKey_overItsCap_isAProblem() throws IOException {
        Path big = Files.write(dir.resolve("big"), new byte[2048]);
        List<ConfigProblem> problems = new ArrayList<>();
        SettingsReader r = new SettingsReader(ConfigFactory.parseString("f = \"" + big + "\""), "x", problems);

        assertThat(r.file("f", 1024)).isEmpty();
        assertThat(problems).singleElement().asString().contains("is 2048 bytes, larger than the limit of 1024");
    }
}
