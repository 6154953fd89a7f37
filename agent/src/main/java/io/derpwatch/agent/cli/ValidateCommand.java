package io.derpwatch.agent.cli;

import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsException;
import io.derpwatch.config.SinkSettings;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
        name = "validate",
        mixinStandardHelpOptions = true,
        description = {
            "Check a configuration without starting anything.",
            "Prints every problem as FILE: LINE: PATH: problem (expected ...); exit 0 when valid, 2 when not.",
            "Also reads the files the configuration names (DERP map, TLS, header files) and prints the active sinks."
        })
final class ValidateCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions config;

    @Override
    public Integer call() {
        try {
            ConfigOptions.Loaded loaded = config.loadAndReadFiles();
            String where = config.file == null ? "the default configuration" : config.file.toString();
            System.out.println(where + ": OK");
            System.out.println(activeSinks(loaded.settings()));
            return ExitCodes.OK;
        } catch (SettingsException e) {
            ConfigOptions.printProblems(e, System.err);
            return ExitCodes.USAGE;
        }
    }

    /** Which sinks will run, and why (collector-style: declared sinks replace the default set). */
    static String activeSinks(DerpwatchSettings settings) {
        List<String> active = settings.enabledSinks().stream()
                .map(s -> s.name() + " (" + s.type() + ")")
                .toList();
        List<String> off = settings.sinks().stream()
                .filter(s -> !s.enabled())
                .map(SinkSettings::name)
                .toList();
        String why = settings.defaultSinks() ? " (the default set: no sink is declared)" : "";
        return "active sinks: " + (active.isEmpty() ? "none" : String.join(", ", active)) + why
                + (off.isEmpty() ? "" : "; disabled: " + String.join(", ", off));
    }
}
