package io.derpwatch.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads {@code derpwatch.sinks}: each named sink's block over its type's defaults ({@code sink-types.<type>}) over
 * {@code sink-defaults}, with the user's keys checked against those defaults. The type-specific values are read
 * by the sinks module's factories ({@link SettingsLoader.SinkCheck}).
 */
final class SinkSettingsReader {
    private static final Pattern SINK_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");

    private SinkSettingsReader() {}

    /** The sinks that apply and whether they are the default set. */
    record Sinks(List<SinkSettings> sinks, boolean defaults) {}

    /**
     * Collector-style: the sinks the user declares replace the default set of reference.conf; the defaults
     * apply only when the user declares none. A sink's type defaults to its name when that is a type
     * ({@code stdout { format = text }} is a stdout sink).
     */
    static Sinks read(
            Config root,
            @Nullable ConfigValue userSinks,
            Config reference,
            ConfigLocator locator,
            List<ConfigProblem> problems) {
        List<SinkSettings> sinks = new ArrayList<>();
        String sinksPath = SettingsLoader.ROOT + ".sinks";
        ConfigValue sinksValue = root.getValue("sinks");
        if (!(sinksValue instanceof ConfigObject sinksObj)) {
            problems.add(ConfigProblem.at(
                    locator.locate(sinksPath, sinksValue.origin()),
                    sinksPath,
                    "wrong type " + sinksValue.valueType().name()
                            + " (expected an object of named sinks: sinks { my-sink { type = otlp } })"));
            return new Sinks(sinks, false);
        }
        Collection<String> declared = sinksObj.keySet();
        Map<String, ConfigValue> userBlocks = new HashMap<>();
        if (userSinks instanceof ConfigObject userObj) {
            Set<Map.Entry<String, ConfigValue>> entries = entries(userObj);
            if (entries != null) {
                entries.forEach(e -> userBlocks.put(e.getKey(), e.getValue()));
                declared = userBlocks.keySet();
            }
        }
        boolean defaults = userBlocks.isEmpty();
        if (defaults) {
            declared = reference.getObject(sinksPath).keySet();
        }
        TreeSet<String> knownTypes = new TreeSet<>(root.getObject("sink-types").keySet());
        String expectedTypes = "expected one of " + String.join(", ", knownTypes);
        Config defaultsConfig = root.getConfig("sink-defaults");
        for (String name : new TreeSet<>(declared)) {
            ConfigValue v = sinksObj.get(name);
            String path = sinksPath + "." + ConfigUtil.joinPath(name);
            if (v == null) {
                continue;
            }
            if (!SINK_NAME.matcher(name).matches()) {
                problems.add(ConfigProblem.at(
                        locator.locate(path, v.origin()),
                        path,
                        "bad sink name (expected lower-case letters, digits, '-' or '_')"));
                continue;
            }
            if (!(v instanceof ConfigObject obj)) {
                problems.add(ConfigProblem.at(
                        locator.locate(path, v.origin()),
                        path,
                        "wrong type " + v.valueType().name() + " (expected an object { type = ... })"));
                continue;
            }
            Config block = obj.toConfig();
            if (!block.hasPath("type") && knownTypes.contains(name)) {
                block = block.withFallback(ConfigFactory.parseMap(Map.of("type", name), "the sink's name"));
            }
            if (!block.hasPath("type")) {
                problems.add(ConfigProblem.at(
                        locator.locate(path, v.origin()),
                        path + ".type",
                        "missing (" + expectedTypes + "; or name the sink after its type)"));
                continue;
            }
            ConfigValue typeValue = block.getValue("type");
            String type = String.valueOf(typeValue.unwrapped());
            if (typeValue.valueType() != ConfigValueType.STRING || !knownTypes.contains(type)) {
                problems.add(ConfigProblem.at(
                        locator.locate(path + ".type", typeValue.origin()),
                        path + ".type",
                        "unknown sink type \"" + type + "\" (" + expectedTypes + ")"));
                continue;
            }
            Config typeDefaults = root.getConfig(ConfigUtil.joinPath("sink-types", type));
            if (userBlocks.get(name) instanceof ConfigObject userBlock) {
                ConfigObject allowed = typeDefaults
                        .withFallback(defaultsConfig)
                        .withFallback(ConfigFactory.parseMap(Map.of("type", type)))
                        .root();
                KnownKeys.check(userBlock, allowed, path, problems);
            }
            Config sinkConfig = block.withFallback(typeDefaults).withFallback(defaultsConfig);
            SettingsReader r = new SettingsReader(sinkConfig, path, problems, locator);
            sinks.add(new SinkSettings(name, type, r.bool("enabled"), sinkConfig, locator));
        }
        return new Sinks(sinks, defaults);
    }

    private static @Nullable Set<Map.Entry<String, ConfigValue>> entries(ConfigObject obj) {
        try {
            return obj.entrySet();
        } catch (ConfigException e) {
            return null;
        }
    }
}
