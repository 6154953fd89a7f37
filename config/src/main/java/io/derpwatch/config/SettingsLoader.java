package io.derpwatch.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Loads the configuration: {@code reference.conf} (every default) under an optional user file under
 * {@code -Dderpwatch.*} system properties; {@code ${?VAR}} substitutions read the environment. Every
 * {@link SettingsSection} on the class path reads its own subtree; {@link SinkSettingsReader} reads the sinks and
 * {@link UserFileParser} the user's file. Every problem is
 * collected and reported together as {@link SettingsException}, located where the user can fix it.
 *
 * <p>No input can crash it: the file is size-capped and scanned for nesting and field count before it is parsed
 * ({@link ConfigFileScanner}), includes are refused, and the whole load runs on its own thread with a known stack
 * and a deadline, so whatever still goes wrong (a stack overflow, an out-of-memory from substitutions that expand
 * exponentially, a bug) becomes a located problem, never an exception out of {@code load}.
 */
public final class SettingsLoader {
    /** Longest a load may take; a real config loads in well under a second. */
    static final Duration DEADLINE = Duration.ofSeconds(30);

    private static final long STACK_SIZE = 16L * 1024 * 1024;
    static final String ROOT = "derpwatch";
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
                            ? ConfigProblem.at(origin, ROOT, UserFileParser.strip(e.getMessage(), origin))
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
        Config user = file == null ? ConfigFactory.empty() : UserFileParser.parse(file, problems);
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
                    origin == null ? null : locator.locate(ROOT, origin),
                    ROOT,
                    UserFileParser.strip(e.getMessage(), origin)));
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
        SinkSettingsReader.Sinks sinks = SinkSettingsReader.read(root, userSinks, resolvedReference, locator, problems);
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

    private static @Nullable ConfigValue get(ConfigObject obj, String key) {
        try {
            return obj.get(key);
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
}
