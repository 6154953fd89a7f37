package io.derpwatch.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Loads the configuration: {@code reference.conf} (every default) under an optional user file under
 * {@code -Dderpwatch.*} system properties; {@code ${?VAR}} substitutions read the environment. Every problem
 * is collected and reported together as {@link SettingsException}.
 */
public final class SettingsLoader {
    private static final String ROOT = "derpwatch";
    private static final Pattern SINK_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final Map<String, String> env;
    private final Properties systemProperties;
    private final ClassLoader classLoader;

    private SettingsLoader(Map<String, String> env, Properties systemProperties, ClassLoader classLoader) {
        this.env = env;
        this.systemProperties = systemProperties;
        this.classLoader = classLoader;
    }

    /** The loader for this process: real environment and system properties. */
    public static SettingsLoader forProcess() {
        return new SettingsLoader(System.getenv(), System.getProperties(), SettingsLoader.class.getClassLoader());
    }

    /** A loader with a given environment and system properties (tests, embedding). */
    public static SettingsLoader with(Map<String, String> env, Properties systemProperties) {
        return new SettingsLoader(Map.copyOf(env), systemProperties, SettingsLoader.class.getClassLoader());
    }

    /** Checks the type-specific keys of the sinks (the sinks module's job), adding to the shared problem list. */
    @FunctionalInterface
    public interface SinkCheck {
        void check(List<SinkSettings> sinks, List<ConfigProblem> problems);
    }

    /** Loads the defaults, the optional user file (null for none) and overrides; validates everything. */
    public DerpwatchSettings load(Path file) throws SettingsException {
        return load(file, (sinks, problems) -> {});
    }

    /**
     * Like {@link #load(Path)}, and also runs {@code sinkCheck} over the sinks so that every problem, core or
     * sink-specific, is reported in one {@link SettingsException}.
     */
    public DerpwatchSettings load(Path file, SinkCheck sinkCheck) throws SettingsException {
        List<ConfigProblem> problems = new ArrayList<>();
        Config reference = ConfigFactory.parseResources(classLoader, "reference.conf");
        Config user = ConfigFactory.empty();
        if (file != null) {
            user = parseUserFile(file, problems);
        }
        Config overrides = systemPropertyOverrides();
        Config layered = overrides.withFallback(user);

        Config envConfig = environment();
        ConfigResolveOptions noEnv = ConfigResolveOptions.defaults().setUseSystemEnvironment(false);
        Config resolvedReference;
        Config merged;
        try {
            // ${?VAR} looks VAR up at the root: the environment sits under everything as the last fallback.
            resolvedReference = reference.withFallback(envConfig).resolve(noEnv);
            merged = layered.withFallback(reference).withFallback(envConfig).resolve(noEnv);
        } catch (ConfigException e) {
            problems.add(ConfigProblem.at(e.origin(), ROOT, e.getMessage()));
            throw new SettingsException(problems);
        }
        if (!problems.isEmpty()) {
            throw new SettingsException(problems);
        }

        if (layered.root().containsKey(ROOT)) {
            ConfigValue top = layered.root().get(ROOT);
            if (top instanceof ConfigObject obj) {
                checkKnownKeys(obj, List.of(ROOT), resolvedReference, problems);
            } else {
                problems.add(ConfigProblem.at(
                        top.origin(),
                        ROOT,
                        "wrong type " + top.valueType().name() + " (expected an object derpwatch { ... })"));
                throw new SettingsException(problems);
            }
        }

        Config root = merged.getConfig(ROOT);
        SettingsReader r = new SettingsReader(root, ROOT, problems);
        DerpwatchSettings settings = new DerpwatchSettings(
                LocalApiSettings.read(r.child("localapi")),
                StatusSettings.read(r.child("status")),
                NetcheckSettings.read(r.child("netcheck")),
                TelemetrySettings.read(r.child("telemetry")),
                AdminSettings.read(r.child("admin")),
                ShutdownSettings.read(r.child("shutdown")),
                readSinks(root, problems),
                root);
        sinkCheck.check(settings.sinks(), problems);
        r.throwIfProblems();
        return settings;
    }

    private Config parseUserFile(Path file, List<ConfigProblem> problems) {
        if (!Files.isRegularFile(file)) {
            problems.add(new ConfigProblem(file.toString(), -1, ROOT, "config file not found or not a regular file"));
            return ConfigFactory.empty();
        }
        try {
            return ConfigFactory.parseFile(
                    file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        } catch (ConfigException e) {
            String message = e.getMessage();
            ConfigOrigin origin = e.origin();
            if (origin != null && message.startsWith(origin.description() + ": ")) {
                message = message.substring(origin.description().length() + 2);
            }
            ConfigProblem p = ConfigProblem.at(origin, ROOT, "syntax error: " + message);
            if (p.file() == null || p.file().startsWith("<")) {
                p = new ConfigProblem(file.toString(), p.line(), p.path(), p.problem());
            }
            problems.add(p);
            return ConfigFactory.empty();
        }
    }

    private Config systemPropertyOverrides() {
        Map<String, Object> props = new HashMap<>();
        for (String name : systemProperties.stringPropertyNames()) {
            if (name.startsWith(ROOT + ".")) {
                props.put(name, systemProperties.getProperty(name));
            }
        }
        return ConfigFactory.parseMap(props, "system properties");
    }

    private Config environment() {
        Map<String, Object> vars = new HashMap<>();
        env.forEach((k, v) -> {
            if (ENV_NAME.matcher(k).matches()) {
                vars.put(k, v);
            }
        });
        return ConfigFactory.parseMap(vars, "environment variables");
    }

    /** Reports every key in the user's tree that reference.conf does not define. */
    private static void checkKnownKeys(
            ConfigObject node, List<String> path, Config reference, List<ConfigProblem> problems) {
        for (Map.Entry<String, ConfigValue> e : node.entrySet()) {
            List<String> childPath = append(path, e.getKey());
            String joined = ConfigUtil.joinPath(childPath);
            ConfigValue value = e.getValue();
            if (joined.equals(ROOT + ".sinks")) {
                checkSinks(value, reference, problems);
                continue;
            }
            if (!reference.hasPathOrNull(joined)) {
                problems.add(ConfigProblem.at(
                        value.origin(), joined, "unknown key" + suggestion(reference, path, e.getKey())));
                continue;
            }
            ConfigValue ref = reference.hasPath(joined) ? reference.getValue(joined) : null; // null default: leaf
            if (ref instanceof ConfigObject refObj && refObj.isEmpty()) {
                continue; // free-form map
            }
            if (value instanceof ConfigObject obj && ref instanceof ConfigObject) {
                checkKnownKeys(obj, childPath, reference, problems);
            }
        }
    }

    private static void checkSinks(ConfigValue sinks, Config reference, List<ConfigProblem> problems) {
        String path = ROOT + ".sinks";
        if (!(sinks instanceof ConfigObject obj)) {
            problems.add(ConfigProblem.at(
                    sinks.origin(),
                    path,
                    "wrong type " + sinks.valueType().name()
                            + " (expected an object of named sinks: sinks { my-sink { type = otlp } })"));
            return;
        }
        for (Map.Entry<String, ConfigValue> e : obj.entrySet()) {
            String sinkPath = ConfigUtil.joinPath(ROOT, "sinks", e.getKey());
            if (!(e.getValue() instanceof ConfigObject sink)) {
                continue; // reported by readSinks
            }
            ConfigValue typeValue = sink.get("type");
            if (typeValue == null && reference.hasPath(sinkPath + ".type")) {
                typeValue = reference.getValue(sinkPath + ".type");
            }
            if (typeValue == null || typeValue.valueType() != ConfigValueType.STRING) {
                continue; // reported by readSinks
            }
            String type = (String) typeValue.unwrapped();
            String typePath = ConfigUtil.joinPath(ROOT, "sink-types", type);
            if (!reference.hasPath(typePath)) {
                continue; // reported by readSinks
            }
            Config allowed = reference
                    .getConfig(typePath)
                    .withFallback(reference.getConfig(ROOT + ".sink-defaults"))
                    .withFallback(ConfigFactory.parseMap(Map.of("type", type)));
            checkSinkKeys(sink, List.of(), allowed, sinkPath, problems);
        }
    }

    private static void checkSinkKeys(
            ConfigObject node, List<String> path, Config allowed, String sinkPath, List<ConfigProblem> problems) {
        for (Map.Entry<String, ConfigValue> e : node.entrySet()) {
            List<String> childPath = append(path, e.getKey());
            String joined = ConfigUtil.joinPath(childPath);
            if (!allowed.hasPathOrNull(joined)) {
                problems.add(ConfigProblem.at(
                        e.getValue().origin(),
                        sinkPath + "." + joined,
                        "unknown key" + suggestion(allowed, path, e.getKey())));
                continue;
            }
            ConfigValue ref = allowed.hasPath(joined) ? allowed.getValue(joined) : null; // null default: leaf
            if (ref instanceof ConfigObject refObj && refObj.isEmpty()) {
                continue;
            }
            if (e.getValue() instanceof ConfigObject obj && ref instanceof ConfigObject) {
                checkSinkKeys(obj, childPath, allowed, sinkPath, problems);
            }
        }
    }

    private static List<SinkSettings> readSinks(Config root, List<ConfigProblem> problems) {
        List<SinkSettings> sinks = new ArrayList<>();
        ConfigValue sinksValue = root.getValue("sinks");
        if (!(sinksValue instanceof ConfigObject sinksObj)) {
            problems.add(ConfigProblem.at(
                    sinksValue.origin(),
                    ROOT + ".sinks",
                    "wrong type " + sinksValue.valueType().name() + " (expected an object of named sinks)"));
            return sinks;
        }
        TreeSet<String> knownTypes = new TreeSet<>(root.getObject("sink-types").keySet());
        Config defaults = root.getConfig("sink-defaults");
        for (String name : new TreeSet<>(sinksObj.keySet())) {
            ConfigValue v = sinksObj.get(name);
            String path = ConfigUtil.joinPath(ROOT, "sinks", name);
            if (!SINK_NAME.matcher(name).matches()) {
                problems.add(ConfigProblem.at(
                        v.origin(), path, "bad sink name (expected lower-case letters, digits, '-' or '_')"));
                continue;
            }
            if (!(v instanceof ConfigObject obj)) {
                problems.add(ConfigProblem.at(
                        v.origin(),
                        path,
                        "wrong type " + v.valueType().name() + " (expected an object { type = ... })"));
                continue;
            }
            Config block = obj.toConfig();
            if (!block.hasPath("type")) {
                problems.add(ConfigProblem.at(
                        v.origin(), path + ".type", "missing (expected one of " + String.join(", ", knownTypes) + ")"));
                continue;
            }
            ConfigValue typeValue = block.getValue("type");
            String type = String.valueOf(typeValue.unwrapped());
            if (typeValue.valueType() != ConfigValueType.STRING || !knownTypes.contains(type)) {
                problems.add(ConfigProblem.at(
                        typeValue.origin(),
                        path + ".type",
                        "unknown sink type \"" + type + "\" (expected one of " + String.join(", ", knownTypes) + ")"));
                continue;
            }
            Config merged = block.withFallback(root.getConfig(ConfigUtil.joinPath("sink-types", type)))
                    .withFallback(defaults);
            SettingsReader r = new SettingsReader(merged, path, problems);
            sinks.add(new SinkSettings(name, type, r.bool("enabled"), merged, v.origin()));
        }
        return sinks;
    }

    private static String suggestion(Config reference, List<String> parentPath, String key) {
        ConfigObject siblings;
        try {
            siblings = parentPath.isEmpty() ? reference.root() : reference.getObject(ConfigUtil.joinPath(parentPath));
        } catch (ConfigException e) {
            return "";
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : siblings.keySet()) {
            int d = distance(candidate, key);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        TreeSet<String> all = new TreeSet<>(siblings.keySet());
        if (best != null && bestDistance <= Math.max(2, key.length() / 3)) {
            return " (did you mean \"" + best + "\"? expected one of " + String.join(", ", all) + ")";
        }
        return " (expected one of " + String.join(", ", all) + ")";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static List<String> append(List<String> path, String key) {
        List<String> out = new ArrayList<>(path);
        out.add(key);
        return out;
    }
}
