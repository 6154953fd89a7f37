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

class SettingsLoaderTest {

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

    private List<String> problems(SettingsLoader loader, Path file) {
        try {
            loader.load(file);
        } catch (SettingsException e) {
            return e.problems().stream().map(ConfigProblem::toString).toList();
        }
        throw new AssertionError("expected the configuration to be rejected");
    }

    @Test
    void defaults_whenNoFileIsGiven() throws Exception {
        DerpwatchSettings s = loader().load(null);

        assertThat(s.localApi().socket()).isEqualTo("/var/run/tailscale/tailscaled.sock");
        assertThat(s.localApi().timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.status().interval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.netcheck().enabled()).isTrue();
        assertThat(s.sinks()).singleElement().satisfies(sink -> {
            assertThat(sink.name()).isEqualTo("stdout");
            assertThat(sink.type()).isEqualTo("stdout");
            assertThat(sink.enabled()).isTrue();
            assertThat(sink.config().getString("format")).isEqualTo("otlp-json");
        });
    }

    @Test
    void socket_comesFromTsSocket_whenTheEnvironmentSetsIt() throws Exception {
        SettingsLoader loader = SettingsLoader.with(Map.of("TS_SOCKET", "/tmp/ts.sock"), new Properties());

        assertThat(loader.load(null).localApi().socket()).isEqualTo("/tmp/ts.sock");
    }

    @Test
    void userFile_overridesDefaultsAndEnvironment() throws Exception {
        Path f = file("derpwatch.localapi.socket = \"/run/mine.sock\"\nderpwatch.status.interval = 2s\n");
        SettingsLoader loader = SettingsLoader.with(Map.of("TS_SOCKET", "/tmp/ts.sock"), new Properties());

        DerpwatchSettings s = loader.load(f);

        assertThat(s.localApi().socket()).isEqualTo("/run/mine.sock");
        assertThat(s.status().interval()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void systemProperty_overridesUserFile() throws Exception {
        Path f = file("derpwatch.status.interval = 2s\n");
        Properties props = new Properties();
        props.setProperty("derpwatch.status.interval", "3s");

        assertThat(SettingsLoader.with(Map.of(), props).load(f).status().interval())
                .isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void twoSinksOfOneType_areSeparateNamedInstances() throws Exception {
        Path f = file("""
                derpwatch.sinks {
                  stdout.enabled = false
                  human { type = stdout, format = text }
                  machine { type = stdout }
                }
                """);

        DerpwatchSettings s = loader().load(f);

        assertThat(s.sinks()).extracting(SinkSettings::name).containsExactly("human", "machine", "stdout");
        assertThat(s.enabledSinks()).extracting(SinkSettings::name).containsExactly("human", "machine");
        assertThat(s.sinks().get(0).config().getString("format")).isEqualTo("text");
        assertThat(s.sinks().get(1).config().getString("format")).isEqualTo("otlp-json");
    }

    @Test
    void unknownKey_isReportedWithFileLinePathAndASuggestion() throws IOException {
        Path f = file("derpwatch {\n  status {\n    intervall = 5s\n  }\n}\n");

        assertThat(problems(loader(), f))
                .containsExactly(f + ": 3: derpwatch.status.intervall: unknown key "
                        + "(did you mean \"interval\"? expected one of derp-map-interval, interval)");
    }

    @Test
    void badDuration_isReportedWithWhatWasExpected() throws IOException {
        Path f = file("derpwatch.status.interval = banana\n");

        assertThat(problems(loader(), f))
                .containsExactly(f + ": 1: derpwatch.status.interval: bad duration "
                        + "\"banana\" (expected a duration such as 10s or 500ms)");
    }

    @Test
    void wrongType_isReportedWithTheTypeFoundAndTheTypeExpected() throws IOException {
        Path f = file("derpwatch.netcheck.enabled = maybe\nderpwatch.admin.port = [1, 2]\n");

        assertThat(problems(loader(), f))
                .containsExactly(
                        f
                                + ": 1: derpwatch.netcheck.enabled: wrong type: got STRING \"maybe\" (expected true or false)",
                        f
                                + ": 2: derpwatch.admin.port: wrong type: got LIST [1,2] (expected an integer from 0 to 65535)");
    }

    @Test
    void unknownSinkType_namesTheKnownTypes() throws IOException {
        Path f = file("derpwatch.sinks.main { type = splunk }\n");

        assertThat(problems(loader(), f))
                .containsExactly(
                        f + ": 1: derpwatch.sinks.main.type: unknown sink type \"splunk\" (expected one of stdout)");
    }

    @Test
    void sinkWithoutType_isRejected() throws IOException {
        Path f = file("derpwatch.sinks.main { enabled = true }\n");

        assertThat(problems(loader(), f))
                .singleElement()
                .asString()
                .contains("derpwatch.sinks.main.type: missing (expected one of stdout;");
    }

    @Test
    void unknownKeyInASink_isCheckedAgainstItsType() throws IOException {
        Path f = file("derpwatch.sinks.stdout { formatt = text }\n");

        assertThat(problems(loader(), f))
                .containsExactly(f + ": 1: derpwatch.sinks.stdout.formatt: unknown key "
                        + "(did you mean \"format\"? expected one of enabled, format, queue, retry, type)");
    }

    @Test
    void everyProblem_isReportedAtOnceInFileOrder() throws IOException {
        Path f = file("""
                derpwatch {
                  localapi.timeout = forever
                  bogus = 1
                  sinks.x { type = nope }
                  admin.port = 70000
                }
                """);

        assertThat(problems(loader(), f))
                .containsExactly(
                        f
                                + ": 2: derpwatch.localapi.timeout: bad duration \"forever\" (expected a duration such as 10s or 500ms)",
                        f
                                + ": 3: derpwatch.bogus: unknown key (did you mean \"logs\"? expected one of admin, example,"
                                + " insights, localapi, logs, netcheck, peers, shutdown,"
                                + " sink-defaults, sink-types, sinks, status, telemetry)",
                        f + ": 4: derpwatch.sinks.x.type: unknown sink type \"nope\" (expected one of stdout)",
                        f + ": 5: derpwatch.admin.port: value 70000 out of range (expected 0 to 65535)");
    }

    @Test
    void unknownSystemProperty_isReportedAsComingFromSystemProperties() {
        Properties props = new Properties();
        props.setProperty("derpwatch.status.intervl", "3s");

        assertThat(problems(SettingsLoader.with(Map.of(), props), null))
                .singleElement()
                .asString()
                .startsWith("system properties: -: derpwatch.status.intervl: unknown key (did you mean \"interval\"?");
    }

    @Test
    void syntaxError_isReportedWithItsLine() throws IOException {
        Path f = file("derpwatch {\n  status {\n    interval = 5s }}\n  admin.port = 1\n}\n");

        assertThat(problems(loader(), f)).singleElement().asString().startsWith(f + ": 5: derpwatch: syntax error:");
    }

    @Test
    void missingFile_isReported() {
        Path f = dir.resolve("absent.conf");

        assertThat(problems(loader(), f))
                .containsExactly(f + ": -: derpwatch: config file not found or not a regular file");
    }

    @Test
    void negativeDuration_isRejected() throws IOException {
        Path f = file("derpwatch.status.interval = -1s\n");

        assertThat(problems(loader(), f))
                .singleElement()
                .asString()
                .contains("derpwatch.status.interval: duration must be positive");
    }

    @Test
    void freeFormMap_acceptsAnyKeys() throws Exception {
        Path f = file("derpwatch.telemetry.resource-attributes { \"deployment.environment\" = prod, team = net }\n");

        assertThat(loader().load(f).telemetry().resourceAttributes())
                .containsEntry("deployment.environment", "prod")
                .containsEntry("team", "net");
    }

    @Test
    void sinkSettings_neverRenderTheirConfig() throws Exception {
        Path f = file("derpwatch.sinks.stdout { format = text }\n");

        SinkSettings sink = loader().load(f).sinks().get(0);

        assertThat(sink.toString()).isEqualTo("SinkSettings[name=stdout, type=stdout, enabled=true]");
    }

    @Test
    void problems_areThrownAsOneException() {
        Path f = dir.resolve("x.conf");
        assertThatThrownBy(() -> loader().load(f))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("config file not found");
    }

    @Test
    void adminServer_bindsLoopbackByDefault() throws Exception {
        assertThat(loader().load(null).admin().host()).isEqualTo("127.0.0.1");
    }

    @Test
    void adminHost_comesFromTheEnvironment_whenDerpwatchAdminHostIsSet() throws Exception {
        SettingsLoader loader = SettingsLoader.with(Map.of("DERPWATCH_ADMIN_HOST", "10.1.2.3"), new Properties());

        assertThat(loader.load(null).admin().host()).isEqualTo("10.1.2.3");
    }

    @Test
    void noSinkDeclared_theDefaultSetApplies() throws Exception {
        DerpwatchSettings s = loader().load(file("derpwatch.status.interval = 2s\n"));

        assertThat(s.defaultSinks()).isTrue();
        assertThat(s.enabledSinks()).extracting(SinkSettings::name).containsExactly("stdout");
    }

    @Test
    void declaringASink_replacesTheDefaultSet() throws Exception {
        DerpwatchSettings s = loader().load(file("derpwatch.sinks.collector { type = stdout }\n"));

        assertThat(s.defaultSinks()).isFalse();
        assertThat(s.sinks()).extracting(SinkSettings::name).containsExactly("collector");
    }

    @Test
    void aSinkNamedAfterItsType_needsNoTypeKey() throws Exception {
        DerpwatchSettings s = loader().load(file("derpwatch.sinks.stdout.format = text\n"));

        assertThat(s.sinks()).singleElement().satisfies(sink -> {
            assertThat(sink.type()).isEqualTo("stdout");
            assertThat(sink.config().getString("format")).isEqualTo("text");
        });
    }

    @Test
    void disablingTheOnlyDeclaredSink_leavesNoActiveSink() throws Exception {
        DerpwatchSettings s = loader().load(file("derpwatch.sinks.stdout.enabled = false\n"));

        assertThat(s.defaultSinks()).isFalse();
        assertThat(s.enabledSinks()).isEmpty();
    }
}
