package io.derpwatch.sinks;

import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.SettingsReader;
import io.derpwatch.config.SinkSettings;
import io.derpwatch.sinks.delivery.DeliverySettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;

/** The sink types on the class path, found through {@link ServiceLoader}. */
public final class SinkCatalog {
    private final Map<String, SinkProvider> providers;

    private SinkCatalog(Map<String, SinkProvider> providers) {
        this.providers = providers;
    }

    public static SinkCatalog load() {
        Map<String, SinkProvider> providers = new LinkedHashMap<>();
        for (SinkProvider p : ServiceLoader.load(SinkProvider.class, SinkCatalog.class.getClassLoader())) {
            providers.putIfAbsent(p.type(), p);
        }
        return new SinkCatalog(providers);
    }

    /**
     * Validates every enabled sink's settings; problems are added to {@code problems}. Disabled sinks are
     * checked only for their type, so their libraries are not touched.
     */
    public List<ConfiguredSink> configure(List<SinkSettings> sinks, List<ConfigProblem> problems) {
        List<ConfiguredSink> out = new ArrayList<>();
        for (SinkSettings s : sinks) {
            SinkProvider provider = providers.get(s.type());
            if (provider == null) {
                problems.add(ConfigProblem.at(
                        s.config().getValue("type").origin(),
                        s.path() + ".type",
                        "no sink implementation for type \"" + s.type() + "\" on the class path (have "
                                + String.join(", ", new TreeSet<>(providers.keySet())) + ")"));
                continue;
            }
            if (!s.enabled()) {
                continue;
            }
            SinkFactory factory = provider.configure(s, problems);
            SettingsReader reader = s.reader(problems);
            DeliverySettings delivery = DeliverySettings.read(reader);
            if (delivery.persistent() && !provider.supportsPersistentQueue()) {
                reader.child("queue")
                        .child("persistent")
                        .problem(
                                "enabled",
                                "a " + s.type()
                                        + " sink has no persistent queue (expected enabled = false; otlp and kafka sinks have one)");
            }
            if (factory != null) {
                out.add(new ConfiguredSink(s, factory, delivery));
            }
        }
        return out;
    }

    /** A validated sink, not yet opened, with its queue and retry settings. */
    public record ConfiguredSink(SinkSettings settings, SinkFactory factory, DeliverySettings delivery) {
        public ConfiguredSink(SinkSettings settings, SinkFactory factory) {
            this(settings, factory, DeliverySettings.defaults());
        }
    }
}
