package io.derpwatch.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Reads typed values out of a resolved config subtree and records a {@link ConfigProblem} for every value
 * that is missing or of the wrong shape, instead of stopping at the first. Callers check
 * {@link #throwIfProblems()} once they have read everything.
 *
 * <p>Keys are relative to the subtree; {@code prefix} is the full path of the subtree, used in messages.
 */
public final class SettingsReader {
    private final Config config;
    private final String prefix;
    private final List<ConfigProblem> problems;
    private final ConfigLocator locator;

    /** A reader whose problems are located at the values' own origins (tests, embedding). */
    public SettingsReader(Config config, String prefix, List<ConfigProblem> problems) {
        this(config, prefix, problems, ConfigLocator.NONE);
    }

    /**
     * @param locator finds the user's line for a problem with a default or a merged value (see {@link
     *     ConfigLocator})
     */
    SettingsReader(Config config, String prefix, List<ConfigProblem> problems, ConfigLocator locator) {
        this.config = config;
        this.prefix = prefix;
        this.problems = problems;
        this.locator = locator;
    }

    /** A reader for a nested object, sharing this reader's problem list. */
    public SettingsReader child(String key) {
        if (!config.hasPath(key)) {
            return new SettingsReader(ConfigFactory.empty(), full(key), problems, locator);
        }
        try {
            return new SettingsReader(config.getConfig(key), full(key), problems, locator);
        } catch (ConfigException.WrongType e) {
            wrongType(key, "an object { ... }");
            return new SettingsReader(ConfigFactory.empty(), full(key), problems, locator);
        }
    }

    /** A reader over {@code sub} (e.g. one element of a list), sharing this reader's problems and locator. */
    SettingsReader over(Config sub, String subPrefix) {
        return new SettingsReader(sub, subPrefix, problems, locator);
    }

    public Config config() {
        return config;
    }

    public String path(String key) {
        return full(key);
    }

    public List<ConfigProblem> problems() {
        return problems;
    }

    public boolean has(String key) {
        return config.hasPath(key);
    }

    public String string(String key) {
        if (!present(key, "a string")) {
            return "";
        }
        ConfigValue v = config.getValue(key);
        if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST) {
            wrongType(key, "a string");
            return "";
        }
        return config.getString(key);
    }

    /** A string that may be absent or {@code null}. */
    public Optional<String> optionalString(String key) {
        if (!config.hasPath(key)) {
            return Optional.empty();
        }
        String s = string(key);
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    public String oneOf(String key, Collection<String> allowed) {
        String s = string(key);
        if (config.hasPath(key) && !allowed.contains(s)) {
            problem(key, "unknown value \"" + s + "\" (expected one of " + String.join(", ", allowed) + ")");
        }
        return s;
    }

    public boolean bool(String key) {
        if (!present(key, "true or false")) {
            return false;
        }
        try {
            return config.getBoolean(key);
        } catch (ConfigException.WrongType e) {
            wrongType(key, "true or false");
            return false;
        }
    }

    public int integer(String key, int min, int max) {
        if (!present(key, "an integer")) {
            return min;
        }
        try {
            int v = config.getInt(key);
            if (v < min || v > max) {
                problem(key, "value " + v + " out of range (expected " + min + " to " + max + ")");
            }
            return v;
        } catch (ConfigException.WrongType e) {
            wrongType(key, "an integer from " + min + " to " + max);
            return min;
        }
    }

    /**
     * A duration such as {@code 10s} or {@code 500ms}, at least {@code min}. Every interval and timeout has a
     * minimum (documented beside its default in {@code reference.conf}): a {@code 1ns} interval would spin.
     */
    public Duration duration(String key, Duration min) {
        Duration d = duration(key);
        if (!d.isNegative() && !d.isZero() && d.compareTo(min) < 0) {
            problem(
                    key,
                    "duration \"" + render(key) + "\" is below the minimum " + human(min) + " (expected at least "
                            + human(min) + ")");
        }
        return d;
    }

    /**
     * A strictly positive duration such as {@code 10s} or {@code 500ms}; prefer {@link #duration(String,
     * Duration)}, which also enforces a minimum.
     */
    public Duration duration(String key) {
        if (!present(key, "a duration such as 10s or 500ms")) {
            return Duration.ZERO;
        }
        try {
            Duration d = config.getDuration(key);
            if (d.isNegative() || d.isZero()) {
                problem(
                        key,
                        "duration must be positive, got \"" + render(key)
                                + "\" (expected a duration such as 10s or 500ms)");
            }
            return d;
        } catch (ConfigException.BadValue | ConfigException.WrongType e) {
            problem(key, "bad duration \"" + render(key) + "\" (expected a duration such as 10s or 500ms)");
            return Duration.ZERO;
        }
    }

    /**
     * A file named by {@code key}, checked where the user can fix it: it exists, is a regular file (not a device
     * or a pipe, which could be endless), is readable and holds at most {@code maxBytes}. Empty when the key is
     * unset or null; a problem is recorded (and empty returned) when the file is unusable.
     */
    public Optional<Path> file(String key, long maxBytes) {
        Optional<String> value = optionalString(key);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        return new NamedFiles(this).usable(key, value.get(), maxBytes)
                ? Optional.of(Path.of(value.get()))
                : Optional.empty();
    }

    /**
     * The text of the file {@code file} that the value at {@code key} names (e.g. a header from a mounted Secret),
     * read with a size cap: a device such as {@code /dev/zero} or a huge file is a problem, not an out-of-memory.
     */
    public Optional<String> fileText(String key, String file, long maxBytes) {
        return new NamedFiles(this).text(key, file, maxBytes);
    }

    /** A size in bytes such as {@code 1MiB} or {@code 65536}. */
    public long bytes(String key, long min) {
        if (!present(key, "a size such as 64KiB or 16MiB")) {
            return min;
        }
        try {
            long v = config.getBytes(key);
            if (v < min) {
                problem(key, "size " + v + " is below the minimum " + min + " bytes");
            }
            return v;
        } catch (ConfigException.BadValue | ConfigException.WrongType e) {
            problem(key, "bad size \"" + render(key) + "\" (expected a size such as 64KiB or 16MiB)");
            return min;
        }
    }

    public List<String> stringList(String key) {
        if (!present(key, "a list of strings")) {
            return List.of();
        }
        try {
            return List.copyOf(config.getStringList(key));
        } catch (ConfigException.WrongType e) {
            wrongType(key, "a list of strings [\"a\", \"b\"]");
            return List.of();
        }
    }

    /** A free-form object of string values (headers, producer properties); nested keys are dotted. */
    public Map<String, String> stringMap(String key) {
        return FreeFormMap.read(this, key);
    }

    /** Records a problem about {@code key}, located at its value's origin (or the subtree's). */
    public void problem(String key, String message) {
        problems.add(ConfigProblem.at(originOf(key), full(key), message));
    }

    /** Records a problem about the subtree itself (e.g. two keys that contradict each other). */
    public void problem(String message) {
        problems.add(ConfigProblem.at(located(prefix, config.origin()), prefix, message));
    }

    public void throwIfProblems() throws SettingsException {
        if (!problems.isEmpty()) {
            throw new SettingsException(new ArrayList<>(problems));
        }
    }

    private boolean present(String key, String expected) {
        if (config.hasPath(key)) {
            return true;
        }
        if (config.hasPathOrNull(key)) {
            problem(key, "value is null (expected " + expected + ")");
        } else {
            problems.add(ConfigProblem.at(
                    located(full(key), config.origin()), full(key), "missing (expected " + expected + ")"));
        }
        return false;
    }

    void wrongType(String key, String expected) {
        ConfigValue v = config.hasPathOrNull(key) ? config.getValue(key) : null;
        String got = v == null
                ? "nothing"
                : v.valueType().name() + " " + v.render(com.typesafe.config.ConfigRenderOptions.concise());
        problem(key, "wrong type: got " + got + " (expected " + expected + ")");
    }

    private String render(String key) {
        Object o = config.getValue(key).unwrapped();
        return String.valueOf(o);
    }

    private @Nullable ConfigOrigin originOf(String key) {
        try {
            if (config.hasPathOrNull(key)) {
                return located(full(key), config.getValue(key).origin());
            }
        } catch (ConfigException e) {
            // fall through to the subtree's origin
        }
        return located(full(key), config.origin());
    }

    /** A default's or a merge's origin is replaced by the user's line for the same path, when there is one. */
    @Nullable
    ConfigOrigin located(String fullPath, @Nullable ConfigOrigin origin) {
        return locator.locate(fullPath, origin);
    }

    private static String human(Duration d) {
        if (d.toNanos() % 1_000_000_000L == 0) {
            return d.toSeconds() + "s";
        }
        if (d.toNanos() % 1_000_000L == 0) {
            return d.toMillis() + "ms";
        }
        return d.toNanos() + "ns";
    }

    private String full(String key) {
        return prefix.isEmpty() ? key : prefix + "." + key;
    }
}
