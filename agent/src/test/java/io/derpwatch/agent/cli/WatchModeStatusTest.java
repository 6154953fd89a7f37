package io.derpwatch.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.derpwatch.agent.Agent;
import io.derpwatch.agent.home.HomeSnapshot;
import io.derpwatch.agent.ipn.WatchMode;
import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsLoader;
import io.derpwatch.lab.IpnBus;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The IPN-bus source says which mode it is in and why, in the store, on its gauge and in {@code derpwatch status}:
 * a pre-1.70 daemon (no structured health on its bus) is polled, and still seen to lose its home DERP.
 */
class WatchModeStatusTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream sinkOut = new ByteArrayOutputStream();

    private int run(String... args) {
        PrintStream oldOut = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(System.out, true));
            return cl.execute(args);
        } finally {
            System.setOut(oldOut);
        }
    }

    private Agent start(LocalApiEmulator lab) throws Exception {
        Properties props = new Properties();
        props.setProperty("derpwatch.localapi.socket", lab.socket().toString());
        props.setProperty("derpwatch.status.interval", "200ms");
        props.setProperty("derpwatch.netcheck.enabled", "false");
        props.setProperty("derpwatch.peers.enabled", "false");
        props.setProperty("derpwatch.admin.port", "0");
        props.setProperty("derpwatch.telemetry.export-interval", "300ms");
        List<SinkCatalog.ConfiguredSink> sinks = new ArrayList<>();
        SinkCatalog catalog = SinkCatalog.load();
        DerpwatchSettings settings = SettingsLoader.with(Map.of(), props)
                .load(null, (all, problems) -> sinks.addAll(catalog.configure(all, problems)));
        return Agent.start(
                settings,
                sinks,
                new SinkContext(new PrintStream(sinkOut, true, StandardCharsets.UTF_8)),
                Agent.Mode.CONTINUOUS,
                Map.of());
    }

    private String status(Agent agent) throws Exception {
        out.reset();
        Path f = Files.writeString(
                dir.resolve("s.conf"), "derpwatch.localapi.socket = \"" + dir.resolve("none.sock") + "\"\n");
        run("status", "--config", f.toString(), "--agent", "http://127.0.0.1:" + agent.adminPort());
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void preStructuredHealthDaemon_isPolled_saysWhy_andStillShowsADerpLoss() throws Exception {
        try (LocalApiEmulator lab = LocalApiEmulator.start(dir.resolve("ts.sock"))) {
            lab.daemonVersion("1.58.2-t3e1b2c3d4");
            lab.ipnBus().support(IpnBus.Support.NO_STRUCTURED_HEALTH);
            try (Agent agent = start(lab)) {
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> agent.state()
                                .latest(WatchMode.TOPIC)
                                .map(WatchMode::reason)
                                .orElse("")
                                .equals(WatchMode.BEFORE_1_70));
                assertThat(status(agent))
                        .contains("tailscaled:  1.58.2-t3e1b2c3d4")
                        .contains("watch:       poll (before_1_70): tailscaled 1.58.2-t3e1b2c3d4 has no structured"
                                + " health on the IPN bus (before 1.70)");
                // the mode gauge, in the next metric export (the backend-state event also carries the mode)
                String reasonOnTheGauge =
                        "{\"key\":\"derpwatch.source.mode.reason\",\"value\":{\"stringValue\":\"before_1_70\"}}";
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> sinkOut.toString(StandardCharsets.UTF_8).contains(reasonOnTheGauge));
                assertThat(sinkOut.toString(StandardCharsets.UTF_8)).contains("\"name\":\"derpwatch.source.mode\"");
                assertThat(lab.ipnBus().watchers()).as("no watch stays open").isZero();

                lab.update(s -> s.withHealth(LabNodeState.noDerpConnectionWarning("r3")));

                await().atMost(Duration.ofSeconds(20))
                        .until(() -> !agent.state()
                                .latest(HomeSnapshot.TOPIC)
                                .orElseThrow()
                                .connection()
                                .connected());
            }
        }
    }

    @Test
    void currentDaemon_isWatched_onTheBus() throws Exception {
        try (LocalApiEmulator lab = LocalApiEmulator.start(dir.resolve("ts.sock"))) {
            try (Agent agent = start(lab)) {
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> agent.state()
                                .latest(WatchMode.TOPIC)
                                .map(WatchMode::bus)
                                .orElse(false));
                assertThat(status(agent)).contains("watch:       bus (watching): watching tailscaled 1.98.4");
            }
        }
    }

    @Test
    void oneShotSample_saysWhatAnAgentWouldDo_forAnOldDaemon() throws Exception {
        try (LocalApiEmulator lab = LocalApiEmulator.start(dir.resolve("ts.sock"))) {
            lab.daemonVersion("1.66.4");
            Path f = Files.writeString(dir.resolve("s.conf"), "derpwatch.localapi.socket = \"" + lab.socket() + "\"\n");
            run("status", "--config", f.toString(), "--agent", "none");
        }
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("watch:       one-shot sample; an agent would poll /status: tailscaled 1.66.4 is before"
                        + " 1.70");
    }
}
