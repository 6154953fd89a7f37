package io.derpwatch.sinks.stdout;

import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.SettingsReader;
import io.derpwatch.config.SinkSettings;
import io.derpwatch.sinks.SinkFactory;
import io.derpwatch.sinks.SinkProvider;
import java.util.Arrays;
import java.util.List;

/** {@code type = stdout}: OTLP JSON lines (or readable text) on standard output. */
public final class StdoutSinkProvider implements SinkProvider {

    @Override
    public String type() {
        return "stdout";
    }

    @Override
    public SinkFactory configure(SinkSettings settings, List<ConfigProblem> problems) {
        int before = problems.size();
        SettingsReader r = settings.reader(problems);
        List<String> formats =
                Arrays.stream(StdoutSettings.Format.values()).map(f -> f.key).toList();
        String format = r.oneOf("format", formats);
        if (problems.size() > before) {
            return null;
        }
        StdoutSettings s = new StdoutSettings(Arrays.stream(StdoutSettings.Format.values())
                .filter(f -> f.key.equals(format))
                .findFirst()
                .orElseThrow());
        return context -> new StdoutSink(settings.name(), s, context.stdout());
    }
}
