package io.derpwatch.agent.cli;

import io.derpwatch.agent.log.LogSettings;
import io.derpwatch.agent.log.StderrLogging;
import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsException;
import io.derpwatch.config.SettingsLoader;
import io.derpwatch.sinks.runtime.SinkCatalog;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** The {@code --config FILE} option shared by the commands, and loading + validating what it names. */
final class ConfigOptions {

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "HOCON config file (defaults: reference.conf; see docs/configuration.md). "
                    + "-Dderpwatch.<key>=<value> and environment variables override.")
    @Nullable
    Path file;

    /** Settings and validated sinks, ready to start. */
    record Loaded(DerpwatchSettings settings, List<SinkCatalog.ConfiguredSink> sinks) {}

    /** Loads and validates everything, including each sink's own keys. */
    Loaded load() throws SettingsException {
        return load((settings, root) -> {});
    }

    /** Like {@link #load()}, and also reads the files the configuration names ({@code validate}). */
    Loaded loadAndReadFiles() throws SettingsException {
        return load(new DerpMapFileCheck());
    }

    private Loaded load(SettingsLoader.Check check) throws SettingsException {
        List<SinkCatalog.ConfiguredSink> sinks = new ArrayList<>();
        SinkCatalog catalog = SinkCatalog.load();
        DerpwatchSettings settings = SettingsLoader.forProcess()
                .load(file, (all, problems) -> sinks.addAll(catalog.configure(all, problems)), check);
        LogSettings log = settings.section(LogSettings.Section.class);
        StderrLogging.configure(log.level(), log.format());
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
