package io.derpwatch.agent.cli;

import io.derpwatch.agent.Agent;
import io.derpwatch.config.SettingsException;
import io.derpwatch.lab.LabScenario;
import io.derpwatch.lab.LocalApiEmulator;
import io.derpwatch.lab.ScenarioRunner;
import io.derpwatch.lab.net.Coturn;
import io.derpwatch.lab.net.DemoNetwork;
import io.derpwatch.sinks.SinkContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Run the agent against the lab: a LocalAPI emulator on a temporary Unix socket whose home",
            "DERP connection drops (tailscaled's no-derp-connection warning) and recovers every few seconds.",
            "With coturn installed, netcheck measures four loopback DERP regions behind delay proxies.",
            "Output is the text stdout sink; Ctrl-C stops it. No tailscaled is needed.",
            "The admin server (/healthz, /readyz) listens on 127.0.0.1 only, on a free port."
        })
final class DemoCommand implements Callable<Integer> {

    @Option(
            names = "--phase",
            defaultValue = "8s",
            paramLabel = "DURATION",
            description = "How long each lab phase (connected, warning) lasts (default: ${DEFAULT-VALUE}).",
            converter = DurationConverter.class)
    Duration phase;

    /** Loopback DERP regions for netcheck when coturn is installed; null (netcheck off) when it is not. */
    private static DemoNetwork startNetwork(Path dir) {
        if (Coturn.executable().isEmpty()) {
            System.err.println("derpwatch demo: netcheck is off (install coturn, e.g. apt-get install -y coturn, to "
                    + "measure four loopback DERP regions)");
            return null;
        }
        try {
            DemoNetwork network = DemoNetwork.start(dir);
            System.err.println("derpwatch demo: netcheck measures loopback DERP regions served by coturn:");
            network.describe().forEach(line -> System.err.println("  " + line));
            return network;
        } catch (Exception e) {
            System.err.println("derpwatch demo: netcheck is off: could not start coturn: " + e.getMessage());
            return null;
        }
    }

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("derpwatch-demo");
        Path socket = dir.resolve("tailscaled.sock");
        LocalApiEmulator lab = LocalApiEmulator.start(socket);
        ScenarioRunner scenario = lab.run(LabScenario.demo(phase));
        System.err.println("derpwatch demo: lab LocalAPI on " + socket + "; the home DERP connection drops and "
                + "recovers every " + phase.toSeconds() + " s. Ctrl-C to stop.");
        // The demo's own settings: the lab socket, quick intervals, readable output, no network probes.
        System.setProperty("derpwatch.localapi.socket", socket.toString());
        System.setProperty("derpwatch.status.interval", "2s");
        System.setProperty("derpwatch.telemetry.export-interval", "8s");
        System.setProperty("derpwatch.sinks.stdout.format", "text");
        System.setProperty("derpwatch.admin.port", "0");
        DemoNetwork network = startNetwork(dir);
        if (network == null) {
            System.setProperty("derpwatch.netcheck.enabled", "false");
        } else {
            System.setProperty("derpwatch.netcheck.derp-map.source", "file");
            System.setProperty(
                    "derpwatch.netcheck.derp-map.file", network.derpMap().toString());
            System.setProperty("derpwatch.netcheck.interval", "10s");
            System.setProperty("derpwatch.netcheck.captive-portal.enabled", "false");
            System.setProperty("derpwatch.netcheck.https-fallback.enabled", "false");
        }
        ConfigOptions.Loaded loaded;
        try {
            loaded = new ConfigOptions().load();
        } catch (SettingsException e) {
            ConfigOptions.printProblems(e, System.err);
            scenario.close();
            lab.close();
            if (network != null) {
                network.close();
            }
            return ExitCodes.USAGE;
        }
        StopSignal stop = new StopSignal();
        try (Agent agent = Agent.start(
                loaded.settings(), loaded.sinks(), SinkContext.forProcess(), Agent.Mode.CONTINUOUS, System.getenv())) {
            stop.await();
        } finally {
            scenario.close();
            lab.close();
            if (network != null) {
                network.close();
                Files.deleteIfExists(network.derpMap());
            }
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
        return ExitCodes.OK;
    }
}
