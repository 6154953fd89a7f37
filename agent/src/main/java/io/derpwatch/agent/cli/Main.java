package io.derpwatch.agent.cli;

import io.derpwatch.agent.log.LogFormat;
import io.derpwatch.agent.log.LogLevel;
import io.derpwatch.agent.log.StderrLogging;
import io.derpwatch.agent.telemetry.ResourceFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code derpwatch}: the command line. */
@Command(
        name = "derpwatch",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "Tells whether this Tailscale node reaches its home DERP relay and how good its paths are,",
            "and exports it as OpenTelemetry metrics and events (stdout, OTLP, Kafka)."
        },
        subcommands = {
            RunCommand.class,
            StatusCommand.class,
            NetcheckCommand.class,
            DerpMapCommand.class,
            DemoCommand.class,
            ValidateCommand.class,
            LogsCommand.class,
            PingCommand.class,
            CommandLine.HelpCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:a one-shot run or check failed (see stderr)",
            "2:invalid configuration or command line; nothing was started"
        },
        footer = {"", "Config keys: docs/configuration.md. Metrics and events: docs/telemetry.md."})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--log-level",
            paramLabel = "LEVEL",
            scope = ScopeType.INHERIT,
            description = "The agent's log level: trace, debug, info, warn, error (default: derpwatch.log.level, "
                    + "info; env DERPWATCH_LOG_LEVEL). Logs always go to stderr.")
    void logLevel(String value) {
        try {
            StderrLogging.chooseLevel(LogLevel.parse(value));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--log-level: " + e.getMessage());
        }
    }

    @Option(
            names = "--log-format",
            paramLabel = "FORMAT",
            scope = ScopeType.INHERIT,
            description = "text or json (one object per line, for log collectors; default: derpwatch.log.format, "
                    + "text; env DERPWATCH_LOG_FORMAT).")
    void logFormat(String value) {
        try {
            StderrLogging.chooseFormat(LogFormat.parse(value));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--log-format: " + e.getMessage());
        }
    }

    public static void main(String[] args) {
        StderrLogging.applyEnvironment(System.getenv());
        // gRPC logs through java.util.logging: route it to the same stderr lines (capped at WARN, throttled)
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        System.exit(execute(args));
    }

    /**
     * Runs the command line and returns the exit code. A plain {@code run} (what a service runs) skips picocli,
     * which would otherwise build the model of every command before the agent starts ({@link RunArguments}).
     */
    static int execute(String[] args) {
        RunArguments run = RunArguments.plain(args);
        return run == null ? commandLine().execute(args) : run.execute();
    }

    /** The command line with derpwatch's exit codes (usage errors are 2). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExitCodeExceptionMapper(
                e -> e instanceof CommandLine.ParameterException ? ExitCodes.USAGE : ExitCodes.FAILED);
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"derpwatch " + ResourceFactory.version()};
        }
    }
}
