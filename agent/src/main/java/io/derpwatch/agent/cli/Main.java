package io.derpwatch.agent.cli;

import io.derpwatch.agent.telemetry.ResourceFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

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
            DemoCommand.class,
            ValidateCommand.class,
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

    public static void main(String[] args) {
        String level = System.getenv("DERPWATCH_LOG_LEVEL");
        if (level != null && !level.isBlank() && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty(
                    "org.slf4j.simpleLogger.defaultLogLevel", level.trim().toLowerCase(java.util.Locale.ROOT));
        }
        System.exit(commandLine().execute(args));
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
