package io.derpwatch.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigIncludeContext;
import com.typesafe.config.ConfigIncluder;
import com.typesafe.config.ConfigIncluderClasspath;
import com.typesafe.config.ConfigIncluderFile;
import com.typesafe.config.ConfigIncluderURL;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Loads the configuration: {@code reference.conf} (every default) under an optional user file under
 * {@code -Dderpwatch.*} system properties; {@code ${?VAR}} substitutions read the environment. Every
 * {@link SettingsSection} on the class path reads its own subtree; the loader reads the sinks. Every problem is
 * collected and reported together as {@link SettingsException}, located where the user can fix it.
 *
 * <p>No input can crash it: the file is size-capped and scanned for nesting and field count before it is parsed
 * ({@link ConfigFileScanner}), includes are refused, and the whole load runs on its own thread with a known stack
 * and a deadline, so whatever still goes wrong (a stack overflow, an out-of-memory from substitutions that expand
 * exponentially, a bug) becomes a located problem, never an exception out of {@code load}.
 */
public final class SettingsLoader {
    /** Largest config file accepted; a derpwatch config is a few KiB. */
    static final long MAX_FILE_SIZE = 1024 * 1024;
    /** Longest a load may take; a real config loads in well under a second. */
    static final Duration DEADLINE = Duration.ofSeconds(30);

    private static final long STACK_SIZE = 16L * 1024 * 1024;
    private static final int FIELDS_PER_CHUNK = 32;
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

    /**
     * A check that needs more than the config module has (e.g. parsing the DERP map file a section names with
     * the agent's codec); {@code root} reads {@code derpwatch} and locates problems where the user can fix them.
     */
    @FunctionalInterface
    public interface Check {
        void check(DerpwatchSettings settings, SettingsReader root);
    }

    /** Loads the defaults, the optional user file (null for none) and overrides; validates everything. */
    public DerpwatchSettings load(@Nullable Path file) throws SettingsException {
        return load(file, (sinks, problems) -> {});
    }

    /**
     * Like {@link #load(Path)}, and also runs {@code sinkCheck} over the sinks so that every problem, core or
     * sink-specific, is reported in one {@link SettingsException}.
     */
    public DerpwatchSettings load(@Nullable Path file, SinkCheck sinkCheck) throws SettingsException {
        return load(file, sinkCheck, (settings, root) -> {});
    }

    /** Like {@link #load(Path, SinkCheck)}, then runs {@code check} once everything else is read. */
    public DerpwatchSettings load(@Nullable Path file, SinkCheck sinkCheck, Check check) throws SettingsException {
        AtomicReference<@Nullable Object> outcome = new AtomicReference<>();
        Thread loader = new Thread(
                null, () -> outcome.set(loadGuarded(file, sinkCheck, check)), "derpwatch-config-loader", STACK_SIZE);
        loader.setDaemon(true);
        loader.start();
        try {
            loader.join(DEADLINE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw whole(file, "interrupted while loading the configuration");
        }
        Object result = outcome.get();
        if (result instanceof DerpwatchSettings settings) {
            return settings;
        }
        if (result instanceof SettingsException e) {
            throw e;
        }
        throw whole(
                file,
                "the configuration took longer than " + DEADLINE.toSeconds() + "s to load (expected a small file; "
                        + "substitutions that refer to each other many times can make it expand)");
    }

    /** Runs on the loader thread: whatever happens becomes settings or a {@link SettingsException}. */
    private Object loadGuarded(@Nullable Path file, SinkCheck sinkCheck, Check check) {
        try {
            return loadNow(file, sinkCheck, check);
        } catch (SettingsException e) {
            return e;
        } catch (StackOverflowError e) {
            return whole(file, "the configuration is nested or refers to itself too deeply to be read");
        } catch (OutOfMemoryError e) {
            return whole(
                    file,
                    "the configuration expands to more than the agent's memory (substitutions that "
                            + "repeat each other grow exponentially)");
        } catch (ConfigException e) {
            ConfigOrigin origin = e.origin();
            return new SettingsException(List.of(
                    origin != null
                            ? ConfigProblem.at(origin, ROOT, strip(e.getMessage(), origin))
                            : new ConfigProblem(where(file), -1, ROOT, e.getMessage())));
        } catch (RuntimeException e) {
            return whole(file, "cannot read the configuration: " + e);
        }
    }

    private static SettingsException whole(@Nullable Path file, String message) {
        return new SettingsException(List.of(new ConfigProblem(where(file), -1, ROOT, message)));
    }

    private static String where(@Nullable Path file) {
        return file == null ? "reference.conf" : file.toString();
    }

    private DerpwatchSettings loadNow(@Nullable Path file, SinkCheck sinkCheck, Check check) throws SettingsException {
        List<ConfigProblem> problems = new ArrayList<>();
        Config reference = ConfigFactory.parseResources(classLoader, "reference.conf");
        Config user = file == null ? ConfigFactory.empty() : parseUserFile(file, problems);
        Config overrides = systemPropertyOverrides(problems);
        if (!problems.isEmpty()) {
            throw new SettingsException(problems);
        }
        Config layered = overrides.withFallback(user);
        ConfigLocator locator = new ConfigLocator(List.of(overrides.root(), user.root()));

        Config envConfig = environment();
        ConfigResolveOptions noEnv = ConfigResolveOptions.defaults().setUseSystemEnvironment(false);
        Config resolvedReference;
        Config merged;
        try {
            // ${?VAR} looks VAR up at the root: the environment sits under everything as the last fallback.
            resolvedReference = reference.withFallback(envConfig).resolve(noEnv);
            merged = layered.withFallback(reference).withFallback(envConfig).resolve(noEnv);
        } catch (ConfigException e) {
            ConfigOrigin origin = e.origin();
            problems.add(ConfigProblem.at(
                    origin == null ? null : locator.locate(ROOT, origin), ROOT, strip(e.getMessage(), origin)));
            throw new SettingsException(problems);
        }

        ConfigObject userTop = null;
        ConfigValue top = get(layered.root(), ROOT);
        if (top instanceof ConfigObject obj) {
            userTop = obj;
        } else if (top != null) {
            problems.add(ConfigProblem.at(
                    top.origin(), ROOT, "wrong type " + typeName(top) + " (expected an object derpwatch { ... })"));
            throw new SettingsException(problems);
        }
        if (merged.getValue(ROOT).valueType() != ConfigValueType.OBJECT) {
            problems.add(ConfigProblem.at(
                    locator.locate(ROOT, merged.getValue(ROOT).origin()),
                    ROOT,
                    "wrong type " + merged.getValue(ROOT).valueType().name()
                            + " (expected an object derpwatch { ... })"));
            throw new SettingsException(problems);
        }
        ConfigObject referenceTop = resolvedReference.getObject(ROOT);
        if (userTop != null) {
            KnownKeys.check(without(userTop, "sinks"), referenceTop, ROOT, problems);
        }

        Config root = merged.getConfig(ROOT);
        SettingsReader r = new SettingsReader(root, ROOT, problems, locator);
        Map<Class<?>, Object> values = new LinkedHashMap<>();
        for (SettingsSection<?> section : sections().values()) {
            values.put(section.getClass(), section.read(r.child(section.key())));
        }
        ConfigValue userSinks = userTop == null ? null : get(userTop, "sinks");
        Sinks sinks = readSinks(root, userSinks, resolvedReference, locator, problems);
        DerpwatchSettings settings = new DerpwatchSettings(values, sinks.sinks(), sinks.defaults(), root);
        sinkCheck.check(settings.sinks(), problems);
        check.check(settings, r);
        r.throwIfProblems();
        return settings;
    }

    /** The sections on the class path, by key. */
    private Map<String, SettingsSection<?>> sections() {
        Map<String, SettingsSection<?>> out = new TreeMap<>();
        for (SettingsSection<?> s : ServiceLoader.load(SettingsSection.class, classLoader)) {
            SettingsSection<?> before = out.putIfAbsent(s.key(), s);
            if (before != null && before.getClass() != s.getClass()) {
                throw new IllegalStateException("two config sections read derpwatch." + s.key() + ": "
                        + before.getClass().getName() + " and " + s.getClass().getName());
            }
        }
        return out;
    }

    private Config parseUserFile(Path file, List<ConfigProblem> problems) {
        String name = file.toString();
        if (!Files.isRegularFile(file)) {
            problems.add(new ConfigProblem(name, -1, ROOT, "config file not found or not a regular file"));
            return ConfigFactory.empty();
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes((int) MAX_FILE_SIZE + 1);
        } catch (IOException e) {
            problems.add(new ConfigProblem(name, -1, ROOT, "cannot read the config file: " + e.getMessage()));
            return ConfigFactory.empty();
        }
        if (bytes.length > MAX_FILE_SIZE) {
            problems.add(new ConfigProblem(
                    name,
                    -1,
                    ROOT,
                    "config file larger than " + MAX_FILE_SIZE / 1024 + " KiB (expected a small file; put large "
                            + "data such as a DERP map in its own file)"));
            return ConfigFactory.empty();
        }
        var violation = ConfigFileScanner.scan(new String(bytes, StandardCharsets.UTF_8));
        if (violation.isPresent()) {
            problems.add(new ConfigProblem(
                    name, violation.get().line(), ROOT, violation.get().problem()));
            return ConfigFactory.empty();
        }
        try {
            return parseText(new String(bytes, StandardCharsets.UTF_8), name);
        } catch (ConfigException e) {
            ConfigOrigin origin = e.origin();
            ConfigProblem p = ConfigProblem.at(origin, ROOT, "syntax error: " + strip(e.getMessage(), origin));
            if (p.file().startsWith("<")) {
                p = new ConfigProblem(name, p.line(), p.path(), p.problem());
            }
            problems.add(p);
            return ConfigFactory.empty();
        }
    }

    /**
     * Parses the text in chunks of top-level statements merged in a balanced tree: Typesafe Config's parser merges
     * every field into the object it has built so far (ConfigParser.parseObject: {@code obj.withFallback(existing)}),
     * so N dotted keys under one key cost O(N²) (measured: 5 000 keys 16 s, 10 000 keys 50 s to parse). Merging
     * is associative, so the result is the same; each chunk is padded with newlines so its lines are the file's.
     * If a chunk does not parse on its own, the whole text is parsed at once, which gives the real syntax error.
     */
    private static Config parseText(String text, String name) {
        ConfigParseOptions options =
                ConfigParseOptions.defaults().setOriginDescription(name).setIncluder(new NoIncludes());
        List<ConfigFileScanner.Chunk> chunks = ConfigFileScanner.chunks(text, FIELDS_PER_CHUNK);
        if (chunks.size() == 1) {
            return ConfigFactory.parseString(text, options);
        }
        List<Config> parsed = new ArrayList<>();
        try {
            for (int i = 0; i < chunks.size(); i++) {
                ConfigFileScanner.Chunk c = chunks.get(i);
                int end = i + 1 < chunks.size() ? chunks.get(i + 1).offset() : text.length();
                parsed.add(ConfigFactory.parseString(
                        "\n".repeat(c.line() - 1) + text.substring(c.offset(), end), options));
            }
        } catch (ConfigException e) {
            return ConfigFactory.parseString(text, options);
        }
        return merge(parsed, 0, parsed.size());
    }

    /** Later chunks win, as later fields do in one file. */
    private static Config merge(List<Config> parsed, int from, int to) {
        if (to - from == 1) {
            return parsed.get(from);
        }
        int mid = (from + to) >>> 1;
        return merge(parsed, mid, to).withFallback(merge(parsed, from, mid));
    }

    private static String strip(String message, @Nullable ConfigOrigin origin) {
        if (origin != null && message.startsWith(origin.description() + ": ")) {
            return message.substring(origin.description().length() + 2);
        }
        return message;
    }

    private Config systemPropertyOverrides(List<ConfigProblem> problems) {
        Map<String, Object> props = new HashMap<>();
        for (String name : systemProperties.stringPropertyNames()) {
            if (!name.startsWith(ROOT + ".")) {
                continue;
            }
            if (name.chars().filter(c -> c == '.').count() >= ConfigFileScanner.MAX_DEPTH) {
                problems.add(new ConfigProblem(
                        "system properties",
                        -1,
                        name.substring(0, 64) + "...",
                        "nested more than " + ConfigFileScanner.MAX_DEPTH + " levels deep"));
                continue;
            }
            props.put(name, systemProperties.getProperty(name));
        }
        try {
            return ConfigFactory.parseMap(props, "system properties");
        } catch (ConfigException e) {
            problems.add(new ConfigProblem("system properties", -1, ROOT, e.getMessage()));
            return ConfigFactory.empty();
        }
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

    /** The sinks that apply and whether they are the default set. */
    private record Sinks(List<SinkSettings> sinks, boolean defaults) {}

    /**
     * Collector-style: the sinks the user declares replace the default set of reference.conf; the defaults
     * apply only when the user declares none. A sink's type defaults to its name when that is a type
     * ({@code stdout { format = text }} is a stdout sink).
     */
    private static Sinks readSinks(
            Config root,
            @Nullable ConfigValue userSinks,
            Config reference,
            ConfigLocator locator,
            List<ConfigProblem> problems) {
        List<SinkSettings> sinks = new ArrayList<>();
        String sinksPath = ROOT + ".sinks";
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

    private static @Nullable ConfigValue get(ConfigObject obj, String key) {
        try {
            return obj.get(key);
        } catch (ConfigException e) {
            return null;
        }
    }

    private static @Nullable Set<Map.Entry<String, ConfigValue>> entries(ConfigObject obj) {
        try {
            return obj.entrySet();
        } catch (ConfigException e) {
            return null;
        }
    }

    private static ConfigObject without(ConfigObject obj, String key) {
        try {
            return obj.withoutKey(key);
        } catch (ConfigException e) {
            return obj;
        }
    }

    private static String typeName(ConfigValue v) {
        try {
            return v.valueType().name();
        } catch (ConfigException e) {
            return "unresolved substitution";
        }
    }

    /** derpwatch reads one file: an include could name a device, a huge file or a URL. */
    private static final class NoIncludes
            implements ConfigIncluder, ConfigIncluderFile, ConfigIncluderURL, ConfigIncluderClasspath {
        @Override
        public ConfigIncluder withFallback(ConfigIncluder fallback) {
            return this;
        }

        @Override
        public ConfigObject include(ConfigIncludeContext context, String what) {
            throw refused(what);
        }

        @Override
        public ConfigObject includeFile(ConfigIncludeContext context, File what) {
            throw refused(what.toString());
        }

        @Override
        public ConfigObject includeURL(ConfigIncludeContext context, URL what) {
            throw refused(what.toString());
        }

        @Override
        public ConfigObject includeResources(ConfigIncludeContext context, String what) {
            throw refused(what);
        }

        private static ConfigException refused(String what) {
            return new ConfigException.Generic(
                    "include \"" + what + "\" is not supported (expected one file; use -Dderpwatch.<key>=<value> "
                            + "or ${?VAR} for values that differ per node)");
        }
    }
}
