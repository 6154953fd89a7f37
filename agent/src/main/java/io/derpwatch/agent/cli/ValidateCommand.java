package io.derpwatch.agent.cli;

import io.derpwatch.config.SettingsException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
        name = "validate",
        mixinStandardHelpOptions = true,
        description = {
            "Check a configuration without starting anything.",
            "Prints every problem as FILE: LINE: PATH: problem (expected ...); exit 0 when valid, 2 when not."
        })
final class ValidateCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions config;

    @Override
    public Integer call() {
        try {
            ConfigOptions.Loaded loaded = config.load();
            String where = config.file == null ? "the default configuration" : config.file.toString();
            System.out.println(where + ": OK (sinks: "
                    + String.join(
                            ", ",
                            loaded.settings().sinks().stream()
                                    .map(s -> s.name() + " (" + s.type() + (s.enabled() ? "" : ", disabled") + ")")
                                    .toList())
                    + ")");
            return ExitCodes.OK;
        } catch (SettingsException e) {
            ConfigOptions.printProblems(e, System.err);
            return ExitCodes.USAGE;
        }
    }
}
