package io.derpwatch.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.derpwatch.agent.Agent;
import io.derpwatch.agent.home.HomeSnapshot;
import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsLoader;
import io.derpwatch.lab.LabNodeState;
import io.derpwatch.lab.LocalApiEmulator;
import io.derpwatch.sinks.SinkContext;
import io.derpwatch.sinks.runtime.SinkCatalog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(System.out, true));
            cl.setErr(new PrintWriter(System.err, true));
            return cl.execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void help_listsTheCommandsAndExitCodes() {
        assertThat(run("--help")).isZero();

        assertThat(stdout()).contains("run", "validate", "Exit codes:", "invalid configuration");
    }

    @Test
    void validate_acceptsAGoodFile_withExitCode0() throws Exception {
        Path f = Files.writeString(dir.resolve("ok.conf"), "derpwatch.sinks.stdout.format = text\n");

        assertThat(run("validate", "--config", f.toString())).isZero();

        assertThat(stdout()).contains(f + ": OK", "active sinks: stdout (stdout)");
    }

    @Test
    void validate_saysWhenTheDefaultSinkSetApplies() {
        assertThat(run("validate")).isZero();

        assertThat(stdout()).contains("active sinks: stdout (stdout) (the default set: no sink is declared)");
    }

    @Test
    void validate_declaredSinksReplaceTheDefaultSet() throws Exception {
        Path f = Files.writeString(
                dir.resolve("otlp.conf"),
                "derpwatch.sinks.collector { type = otlp, endpoint = \"http://127.0.0.1:4317\" }\n");

        assertThat(run("validate", "--config", f.toString())).isZero();

        assertThat(stdout()).contains("active sinks: collector (otlp)").doesNotContain("stdout (stdout)");
    }

    @Test
    void validate_answersHostileInput_withExitCode2_andALocatedProblem() throws Exception {
        Path deep =
                Files.writeString(dir.resolve("deep.conf"), "derpwatch {\n" + "a {".repeat(5000) + "}".repeat(5000));
        Path zero = Files.writeString(
                dir.resolve("zero.conf"),
                "derpwatch.sinks.c {\n  type = otlp\n  header-files { authorization = \"/dev/zero\" }\n}\n");
        Path append = Files.writeString(dir.resolve("append.conf"), "derpwatch.sinks.main {\n  type += otlp\n}\n");

        assertThat(run("validate", "--config", deep.toString())).isEqualTo(2);
        assertThat(run("validate", "--config", zero.toString())).isEqualTo(2);
        assertThat(run("validate", "--config", append.toString())).isEqualTo(2);

        assertThat(stderr())
                .contains(deep + ": 2: derpwatch: nested more than 64 levels deep")
                .contains(zero + ": 3: derpwatch.sinks.c.header-files.authorization: \"/dev/zero\" is not a regular "
                        + "file")
                .contains(append + ": 2: derpwatch.sinks.main.type: ")
                .doesNotContain("Exception", "\tat ");
    }

    @Test
    void validate_readsTheDerpMapFile_andLocatesWhatIsWrongAtTheUsersLine() throws Exception {
        Path map = Files.writeString(dir.resolve("derpmap.json"), "{\"Regions\": {\"900\": ");
        Path f = Files.writeString(
                dir.resolve("map.conf"),
                "derpwatch.netcheck.derp-map {\n  source = file\n  file = \"" + map + "\"\n}\n");

        assertThat(run("validate", "--config", f.toString())).isEqualTo(2);

        assertThat(stderr())
                .contains(f + ": 3: derpwatch.netcheck.derp-map.file: \"" + map + "\" is not a DERP map: "
                        + "malformed DERP map JSON");
    }

    @Test
    void validate_reportsAMissingDerpMapFile_atTheUsersFileLine() throws Exception {
        Path f = Files.writeString(
                dir.resolve("map.conf"),
                "derpwatch.netcheck.derp-map {\n  source = file\n  file = \"/nonexistent/derpmap.json\"\n}\n");

        assertThat(run("validate", "--config", f.toString())).isEqualTo(2);

        assertThat(stderr())
                .contains(f + ": 3: derpwatch.netcheck.derp-map.file: file \"/nonexistent/derpmap.json\" not found "
                        + "(expected an existing file)");
    }

    @Test
    void validate_rejectsAPortOutOfRange_inTheDerpMapFile() throws Exception {
        Path map = Files.writeString(
                dir.resolve("derpmap.json"),
                "{\"Regions\": {\"900\": {\"RegionID\": 900, \"RegionCode\": \"lab\", \"Nodes\": "
                        + "[{\"Name\": \"900a\", \"HostName\": \"derp.example\", \"STUNPort\": 70000}]}}}");
        Path f = Files.writeString(
                dir.resolve("map.conf"), "derpwatch.netcheck.derp-map { source = file, file = \"" + map + "\" }\n");

        assertThat(run("validate", "--config", f.toString())).isEqualTo(2);

        assertThat(stderr()).contains(f + ": 1: derpwatch.netcheck.derp-map.file: ", "STUNPort 70000 out of range");
    }

    @Test
    void validate_checksTheTlsFiles_parseAsPem() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "this is not a certificate\n");
        Path f = Files.writeString(
                dir.resolve("tls.conf"),
                "derpwatch.sinks.collector {\n  type = otlp\n  endpoint = \"https://127.0.0.1:4317\"\n"
                        + "  tls.ca-file = \"" + ca + "\"\n}\n");

        assertThat(run("validate", "--config", f.toString())).isEqualTo(2);

        assertThat(stderr()).contains("derpwatch.sinks.collector.tls: cannot load the TLS files");
    }

    @Test
    void runAndDemoHelp_sayTheAdminServerListensOnLoopback() {
        assertThat(run("run", "--help")).isZero();
        assertThat(run("demo", "--help")).isZero();

        assertThat(stdout().replaceAll("\\s+", " "))
                .contains("listens on 127.0.0.1 only unless", "The admin server listens on 127.0.0.1");
    }

    @Test
    void validate_rejectsABadFile_withExitCode2_andEveryProblemOnStderr() throws Exception {
        Path f = Files.writeString(
                dir.resolve("bad.conf"), "derpwatch {\n  status.interval = soon\n  sinks.stdout.format = yaml\n}\n");

        assertThat(run("validate", "--config", f.toString())).isEqualTo(2);

        assertThat(stderr())
                .contains(
                        "the configuration has 2 problems:",
                        f + ": 2: derpwatch.status.interval: bad duration \"soon\"",
                        f
                                + ": 3: derpwatch.sinks.stdout.format: unknown value \"yaml\" (expected one of otlp-json, text)");
        assertThat(stdout()).isEmpty();
    }

    @Test
    void run_refusesToStart_withExitCode2_onABadConfig() throws Exception {
        Path f = Files.writeString(dir.resolve("bad.conf"), "derpwatch.nope = 1\n");

        assertThat(run("run", "--once", "--config", f.toString())).isEqualTo(2);

        assertThat(stderr()).contains(f + ": 1: derpwatch.nope: unknown key");
    }

    @Test
    void status_summarisesAConnectedNode_withExitCode0() throws Exception {
        try (LocalApiEmulator lab = LocalApiEmulator.start(dir.resolve("ts.sock"))) {
            Path f = Files.writeString(dir.resolve("s.conf"), "derpwatch.localapi.socket = \"" + lab.socket() + "\"\n");

            assertThat(run("status", "--config", f.toString(), "--agent", "none"))
                    .isZero();
        }

        assertThat(stdout())
                .contains(
                        "tailscaled:  1.98.4",
                        "(Running)",
                        "home DERP:   r3 (3, r3)",
                        "connection:  connected (home_connection=1, reason connected)");
    }

    @Test
    void status_saysWhyWhenTailscaledIsAbsent_withExitCode1() throws Exception {
        Path f = Files.writeString(
                dir.resolve("s.conf"), "derpwatch.localapi.socket = \"" + dir.resolve("none.sock") + "\"\n");

        assertThat(run("status", "--config", f.toString(), "--agent", "none")).isEqualTo(1);

        assertThat(stdout())
                .contains(
                        "connection:  NOT connected (home_connection=0, reason localapi_unreachable)",
                        "error:       socket_missing");
    }

    @Test
    void statusFormatJson_printsTheApiStateDocumentOfAOneShotSample() throws Exception {
        try (LocalApiEmulator lab = LocalApiEmulator.start(dir.resolve("ts.sock"))) {
            Path f = Files.writeString(dir.resolve("s.conf"), "derpwatch.localapi.socket = \"" + lab.socket() + "\"\n");

            assertThat(run("status", "--config", f.toString(), "--agent", "none", "--format", "json"))
                    .isZero();
        }

        JsonNode doc = new ObjectMapper().readTree(stdout());
        assertThat(doc.path("schemaVersion").asInt()).isEqualTo(1);
        assertThat(doc.path("source").asText()).isEqualTo("sample");
        assertThat(doc.at("/home/connected").asBoolean()).isTrue();
        assertThat(doc.at("/home/regionCode").asText()).isEqualTo("r3");
    }

    @Test
    void status_readsARunningAgentsApiState_andExits1OnceItLosesTheHomeDerp() throws Exception {
        try (LocalApiEmulator lab = LocalApiEmulator.start(dir.resolve("ts.sock"))) {
            Properties props = new Properties();
            props.setProperty("derpwatch.localapi.socket", lab.socket().toString());
            props.setProperty("derpwatch.status.interval", "200ms");
            props.setProperty("derpwatch.netcheck.enabled", "false");
            props.setProperty("derpwatch.admin.port", "0");
            List<SinkCatalog.ConfiguredSink> sinks = new ArrayList<>();
            SinkCatalog catalog = SinkCatalog.load();
            DerpwatchSettings settings = SettingsLoader.with(Map.of(), props)
                    .load(null, (all, problems) -> sinks.addAll(catalog.configure(all, problems)));
            try (Agent agent = Agent.start(
                    settings,
                    sinks,
                    new SinkContext(new PrintStream(new ByteArrayOutputStream(), true)),
                    Agent.Mode.CONTINUOUS,
                    Map.of())) {
                String address = "http://127.0.0.1:" + agent.adminPort();
                // the socket in this file is not the lab's: what status prints comes from the agent
                Path f = Files.writeString(
                        dir.resolve("s.conf"), "derpwatch.localapi.socket = \"" + dir.resolve("none.sock") + "\"\n");
                Awaitility.await()
                        .atMost(Duration.ofSeconds(20))
                        .until(() -> agent.state().latest(HomeSnapshot.TOPIC).isPresent());

                assertThat(run("status", "--config", f.toString(), "--agent", address))
                        .isZero();
                assertThat(stdout())
                        .contains(
                                "agent:       " + address,
                                "home DERP:   r3 (3, r3)",
                                "connection:  connected (home_connection=1, reason connected)",
                                "sink stdout: queued 0");

                lab.update(s -> s.withHealth(LabNodeState.noDerpConnectionWarning("r3")));
                Awaitility.await()
                        .atMost(Duration.ofSeconds(20))
                        .until(() -> !agent.state()
                                .latest(HomeSnapshot.TOPIC)
                                .orElseThrow()
                                .connection()
                                .connected());
                out.reset();

                assertThat(run("status", "--config", f.toString(), "--agent", address))
                        .isEqualTo(1);
                assertThat(stdout())
                        .contains("connection:  NOT connected (home_connection=0, reason derp_unreachable)", "health:");
            }
        }
    }

    @Test
    void unknownOption_isAUsageError_withExitCode2() {
        assertThat(run("run", "--bogus")).isEqualTo(2);

        assertThat(stderr()).contains("Unknown option: '--bogus'");
    }
}
