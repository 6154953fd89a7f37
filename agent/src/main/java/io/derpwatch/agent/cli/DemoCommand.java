package io.derpwatch.agent.cli;

import io.derpwatch.agent.Agent;
import io.derpwatch.config.SettingsException;
import io.derpwatch.lab.LabScenario;
import io.derpwatch.lab.LocalApiEmulator;
import io.derpwatch.lab.ScenarioRunner;
import io.derpwatch.sinks.SinkContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the agent against the lab: a LocalAPI emulator on a temporary Unix socket whose home",
                "DERP connection drops (tailscaled's no-derp-connection warning) and recovers every few seconds.",
                "Output is the text stdout sink; Ctrl-C stops it. No tailscaled is needed."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--phase", defaultValue = "8s", paramLabel = "DURATION",
            description = "How long each lab phase (connected, warning) lasts (default: ${DEFAULT-VALUE}).",
            converter = DurationConverter.class)
    Duration phase;

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
        System.setProperty("derpwatch.telemetry.export-interval", "4s");
        System.setProperty("derpwatch.sinks.stdout.format", "text");
        System.setProperty("derpwatch.admin.port", "0");
        System.setProperty("derpwatch.netcheck.enabled", "false");
        ConfigOptions.Loaded loaded;
        try {
            loaded = new ConfigOptions().load();
        } catch (SettingsException e) {
            ConfigOptions.printProblems(e, System.err);
            scenario.close();
            lab.close();
            return ExitCodes.USAGE;
        }
        StopSignal stop = new StopSignal();
        try (Agent agent = Agent.start(loaded.settings(), loaded.sinks(), SinkContext.forProcess(),
                Agent.Mode.CONTINUOUS, System.getenv())) {
            stop.await();
        } finally {
            scenario.close();
            lab.close();
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
        return ExitCodes.OK;
    }
}
