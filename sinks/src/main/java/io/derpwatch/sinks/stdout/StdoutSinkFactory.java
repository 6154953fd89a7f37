package io.derpwatch.sinks.stdout;

import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.SettingsReader;
import io.derpwatch.config.SinkSettings;
import io.derpwatch.sinks.Sink;
import io.derpwatch.sinks.SinkContext;
import io.derpwatch.sinks.SinkFactory;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** {@code type = stdout}: OTLP JSON lines (or readable text) on standard output. */
public final class StdoutSinkFactory implements SinkFactory<StdoutSinkFactory.Config> {

    /** A validated stdout sink block. */
    record Config(String name, StdoutSettings settings) {}

    @Override
    public String type() {
        return "stdout";
    }

    @Override
    public @Nullable Config createConfig(SinkSettings settings, List<ConfigProblem> problems) {
        int before = problems.size();
        SettingsReader r = settings.reader(problems);
        List<String> formats =
                Arrays.stream(StdoutSettings.Format.values()).map(f -> f.key).toList();
        String format = r.oneOf("format", formats);
        if (problems.size() > before) {
            return null;
        }
        return new Config(
                settings.name(),
                new StdoutSettings(Arrays.stream(StdoutSettings.Format.values())
                        .filter(f -> f.key.equals(format))
                        .findFirst()
                        .orElseThrow()));
    }

    @Override
    public Sink create(Config config, SinkContext context) {
        return new StdoutSink(config.name(), config.settings(), context.stdout());
    }
}
