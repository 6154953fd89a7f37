package io.derpwatch.sinks.runtime;

import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.SettingsReader;
import io.derpwatch.config.SinkSettings;
import io.derpwatch.sinks.Sink;
import io.derpwatch.sinks.SinkContext;
import io.derpwatch.sinks.SinkFactory;
import io.derpwatch.sinks.delivery.DeliverySettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.function.Function;

/** The sink types on the class path: their {@link SinkFactory}s, found through {@link ServiceLoader}. */
public final class SinkCatalog {
    private final Map<String, SinkFactory<?>> factories;

    private SinkCatalog(Map<String, SinkFactory<?>> factories) {
        this.factories = factories;
    }

    public static SinkCatalog load() {
        Map<String, SinkFactory<?>> factories = new LinkedHashMap<>();
        for (SinkFactory<?> f : ServiceLoader.load(SinkFactory.class, SinkCatalog.class.getClassLoader())) {
            factories.putIfAbsent(f.type(), f);
        }
        return new SinkCatalog(factories);
    }

    /**
     * Validates every enabled sink's settings; problems are added to {@code problems}. Disabled sinks are
     * checked only for their type, so their libraries are not touched.
     */
    public List<ConfiguredSink> configure(List<SinkSettings> sinks, List<ConfigProblem> problems) {
        List<ConfiguredSink> out = new ArrayList<>();
        for (SinkSettings s : sinks) {
            SinkFactory<?> factory = factories.get(s.type());
            if (factory == null) {
                problems.add(ConfigProblem.at(
                        s.config().getValue("type").origin(),
                        s.path() + ".type",
                        "no sink implementation for type \"" + s.type() + "\" on the class path (have "
                                + String.join(", ", new TreeSet<>(factories.keySet())) + ")"));
                continue;
            }
            if (!s.enabled()) {
                continue;
            }
            Function<SinkContext, Sink> creator = creator(factory, s, problems);
            SettingsReader reader = s.reader(problems);
            DeliverySettings delivery = DeliverySettings.read(reader);
            if (delivery.persistent() && !factory.supportsPersistentQueue()) {
                reader.child("queue")
                        .child("persistent")
                        .problem(
                                "enabled",
                                "a " + s.type()
                                        + " sink has no persistent queue (expected enabled = false; otlp and kafka sinks have one)");
            }
            if (creator != null) {
                out.add(new ConfiguredSink(s, creator, delivery));
            }
        }
        return out;
    }

    private static <C> Function<SinkContext, Sink> creator(
            SinkFactory<C> factory, SinkSettings settings, List<ConfigProblem> problems) {
        C config = factory.createConfig(settings, problems);
        return config == null ? null : context -> factory.create(config, context);
    }

    /** A validated sink, not yet created, with its queue and retry settings. */
    public record ConfiguredSink(
            SinkSettings settings, Function<SinkContext, Sink> creator, DeliverySettings delivery) {
        public ConfiguredSink(SinkSettings settings, Function<SinkContext, Sink> creator) {
            this(settings, creator, DeliverySettings.defaults());
        }

        /** Creates the sink. */
        public Sink create(SinkContext context) {
            return creator.apply(context);
        }
    }
}
