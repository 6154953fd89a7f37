package io.derpwatch.agent.cli;

import io.derpwatch.agent.Agent;
import io.derpwatch.config.SettingsException;
import io.derpwatch.sinks.SinkContext;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Run the agent: sample tailscaled and the network, export to every enabled sink.",
            "Stops on SIGTERM/SIGINT after delivering what it holds (derpwatch.shutdown.timeout);",
            "a stop that takes 5 s longer than that is cut short (exit 1).",
            "The admin server (/healthz, /readyz, port 9479) listens on 127.0.0.1 only unless",
            "derpwatch.admin.host (or DERPWATCH_ADMIN_HOST, e.g. the pod IP in Kubernetes) says otherwise."
        })
final class RunCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions config;

    @Option(
            names = "--once",
            description = "Take one sample from every enabled source, flush every sink, exit "
                    + "0 (or 1 if a sink failed to deliver).")
    boolean once;

    @Override
    public Integer call() throws Exception {
        ConfigOptions.Loaded loaded;
        try {
            loaded = config.load();
        } catch (SettingsException e) {
            ConfigOptions.printProblems(e, System.err);
            return ExitCodes.USAGE;
        }
        if (once) {
            try (Agent agent = Agent.start(
                    loaded.settings(), loaded.sinks(), SinkContext.forProcess(), Agent.Mode.ONCE, System.getenv())) {
                Duration timeout = loaded.settings()
                        .localApi()
                        .timeout()
                        .plus(loaded.settings().shutdown().timeout());
                return agent.runOnce(timeout) ? ExitCodes.OK : ExitCodes.FAILED;
            }
        }
        StopSignal stop = new StopSignal();
        try (Agent agent = Agent.start(
                loaded.settings(), loaded.sinks(), SinkContext.forProcess(), Agent.Mode.CONTINUOUS, System.getenv())) {
            stop.await();
            // closing the agent is graceful; this makes it bounded, whatever is still running
            ShutdownDeadline.arm(loaded.settings().shutdown().timeout());
        }
        return ExitCodes.OK;
    }
}
