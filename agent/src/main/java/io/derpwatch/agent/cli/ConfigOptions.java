package io.derpwatch.agent.cli;

import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsException;
import io.derpwatch.config.SettingsLoader;
import io.derpwatch.sinks.SinkCatalog;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The {@code --config FILE} option shared by the commands, and loading + validating what it names. */
final class ConfigOptions {

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "HOCON config file (defaults: reference.conf; see docs/configuration.md). "
                    + "-Dderpwatch.<key>=<value> and environment variables override.")
    Path file;

    /** Settings and validated sinks, ready to start. */
    record Loaded(DerpwatchSettings settings, List<SinkCatalog.ConfiguredSink> sinks) {}

    /** Loads and validates everything, including each sink's own keys. */
    Loaded load() throws SettingsException {
        List<SinkCatalog.ConfiguredSink> sinks = new ArrayList<>();
        SinkCatalog catalog = SinkCatalog.load();
        DerpwatchSettings settings = SettingsLoader.forProcess()
                .load(file, (all, problems) -> sinks.addAll(catalog.configure(all, problems)));
        LogConfig.apply(settings.config());
        return new Loaded(settings, sinks);
    }

    static void printProblems(SettingsException e, PrintStream err) {
        int n = e.problems().size();
        err.println("derpwatch: the configuration has " + n + (n == 1 ? " problem:" : " problems:"));
        for (ConfigProblem p : e.problems()) {
            err.println(p);
        }
    }
}
