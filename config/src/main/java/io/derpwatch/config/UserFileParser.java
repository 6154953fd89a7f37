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
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads the user's config file so that no file can hurt the agent: at most {@value #MAX_FILE_SIZE} bytes, scanned
 * for nesting and field count ({@link ConfigFileScanner}) before it is parsed, includes refused, and parsed in
 * chunks so that many keys under one key do not cost quadratic time. Every failure is a located problem.
 */
final class UserFileParser {
    /** Largest config file accepted; a derpwatch config is a few KiB. */
    static final long MAX_FILE_SIZE = 1024 * 1024;

    private static final int FIELDS_PER_CHUNK = 32;

    private UserFileParser() {}

    /** The user's file, or an empty config with the reason in {@code problems}. */
    static Config parse(Path file, List<ConfigProblem> problems) {
        String name = file.toString();
        if (!Files.isRegularFile(file)) {
            problems.add(
                    new ConfigProblem(name, -1, SettingsLoader.ROOT, "config file not found or not a regular file"));
            return ConfigFactory.empty();
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes((int) MAX_FILE_SIZE + 1);
        } catch (IOException e) {
            problems.add(
                    new ConfigProblem(name, -1, SettingsLoader.ROOT, "cannot read the config file: " + e.getMessage()));
            return ConfigFactory.empty();
        }
        if (bytes.length > MAX_FILE_SIZE) {
            problems.add(new ConfigProblem(
                    name,
                    -1,
                    SettingsLoader.ROOT,
                    "config file larger than " + MAX_FILE_SIZE / 1024 + " KiB (expected a small file; put large "
                            + "data such as a DERP map in its own file)"));
            return ConfigFactory.empty();
        }
        var violation = ConfigFileScanner.scan(new String(bytes, StandardCharsets.UTF_8));
        if (violation.isPresent()) {
            problems.add(new ConfigProblem(
                    name,
                    violation.get().line(),
                    SettingsLoader.ROOT,
                    violation.get().problem()));
            return ConfigFactory.empty();
        }
        try {
            return parseText(new String(bytes, StandardCharsets.UTF_8), name);
        } catch (ConfigException e) {
            ConfigOrigin origin = e.origin();
            ConfigProblem p =
                    ConfigProblem.at(origin, SettingsLoader.ROOT, "syntax error: " + strip(e.getMessage(), origin));
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

    /** A Typesafe Config message without its origin prefix (the problem carries the location). */
    static String strip(String message, @Nullable ConfigOrigin origin) {
        if (origin != null && message.startsWith(origin.description() + ": ")) {
            return message.substring(origin.description().length() + 2);
        }
        return message;
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
