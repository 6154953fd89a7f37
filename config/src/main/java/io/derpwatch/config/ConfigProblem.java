package io.derpwatch.config;

import com.typesafe.config.ConfigOrigin;
import org.jspecify.annotations.Nullable;

/**
 * One thing wrong with the configuration, located where the user can fix it.
 *
 * <p>Rendered as {@code FILE: LINE: PATH: problem (expected ...)}; when a value did not come from a file
 * (a system property, an environment variable) the origin's description stands in for the file.
 */
public record ConfigProblem(String file, int line, String path, String problem) {

    /** A problem about a value whose origin Typesafe Config knows. */
    public static ConfigProblem at(@Nullable ConfigOrigin origin, String path, String problem) {
        if (origin == null) {
            return new ConfigProblem("<unknown>", -1, path, problem);
        }
        String file = origin.filename() != null
                ? origin.filename()
                : origin.url() != null ? origin.url().toString() : withoutLines(origin);
        return new ConfigProblem(file, origin.lineNumber(), path, problem);
    }

    /** A parsed text's origin describes itself as {@code NAME: LINE} or {@code NAME: FIRST-LAST}: keep NAME. */
    private static String withoutLines(ConfigOrigin origin) {
        String d = origin.description();
        return origin.lineNumber() > 0 ? d.replaceFirst(": [0-9]+(-[0-9]+)?$", "") : d;
    }

    @Override
    public String toString() {
        return file + ": " + (line > 0 ? Integer.toString(line) : "-") + ": " + path + ": " + problem;
    }
}
