package io.derpwatch.sinks.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.SinkSettings;
import io.derpwatch.sinks.SinkContext;
import io.derpwatch.sinks.runtime.SinkCatalog;
import io.derpwatch.sinks.runtime.SinkSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds sink settings the way {@code SettingsLoader} does (the user's block over
 * {@code derpwatch.sink-types.<type>} over {@code derpwatch.sink-defaults}, from the real reference.conf files)
 * and opens them through {@link SinkCatalog} and {@link SinkSet}.
 */
public final class TestSinks {
    private TestSinks() {}

    public static SinkSettings settings(String name, String type, String hocon) {
        Config reference = ConfigFactory.parseResources(TestSinks.class.getClassLoader(), "reference.conf")
                .resolve();
        Config block = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.parseString("type = " + type));
        Config merged = block.withFallback(reference.getConfig("derpwatch.sink-types." + type))
                .withFallback(reference.getConfig("derpwatch.sink-defaults"))
                .resolve();
        return new SinkSettings(name, type, merged.getBoolean("enabled"), merged);
    }

    /** Configures the sinks; returns the problems (empty when valid). */
    public static List<ConfigProblem> problems(SinkSettings... sinks) {
        List<ConfigProblem> problems = new ArrayList<>();
        SinkCatalog.load().configure(List.of(sinks), problems);
        return problems;
    }

    public static SinkSet open(SinkSettings... sinks) {
        List<ConfigProblem> problems = new ArrayList<>();
        List<SinkCatalog.ConfiguredSink> configured = SinkCatalog.load().configure(List.of(sinks), problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("config problems: " + problems);
        }
        return SinkSet.open(configured, SinkContext.forProcess());
    }

    /** Fast retries for tests. */
    public static final String FAST_RETRY = "retry { initial = 20ms, max = 200ms, max-elapsed = 1h }\n";
}
