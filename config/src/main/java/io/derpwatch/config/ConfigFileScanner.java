package io.derpwatch.config;

import java.util.Optional;

/**
 * A single linear pass over a HOCON text, before Typesafe Config sees it, that rejects what would make the parser
 * fail badly: nesting deeper than {@link #MAX_DEPTH} (the parser and the merge recurse once per level: a
 * StackOverflowError at about 800 levels under {@code -Xss256k}) and more than {@link #MAX_FIELDS} fields
 * (Typesafe Config's parser merges every field into the object it has built so far, so many fields under one
 * key cost quadratic time: 10 000 dotted keys take 50 s to parse).
 *
 * <p>The pass is deliberately conservative: it knows quoted and triple-quoted strings and comments, counts
 * {@code {} [] } levels, counts the dots of an unquoted key or value as levels (a dotted key nests), and counts
 * every {@code =}, {@code :} and <code>{</code> as a field. It over-estimates, never under-estimates.
 */
final class ConfigFileScanner {
    /** Deepest nesting accepted; a derpwatch config is under 10 levels deep. */
    static final int MAX_DEPTH = 64;
    /** Most fields accepted; a derpwatch config has a few dozen. */
    static final int MAX_FIELDS = 1000;

    private ConfigFileScanner() {}

    /** A limit the text breaks, and the line where it first breaks it. */
    record Violation(int line, String problem) {}

    static Optional<Violation> scan(CharSequence text) {
        int depth = 0;
        int dots = 0;
        int fields = 0;
        int line = 1;
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                dots = 0;
                i++;
            } else if (c == '#' || (c == '/' && i + 1 < n && text.charAt(i + 1) == '/')) {
                while (i < n && text.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '"' && i + 2 < n && text.charAt(i + 1) == '"' && text.charAt(i + 2) == '"') {
                i += 3;
                while (i < n
                        && !(text.charAt(i) == '"'
                                && i + 2 < n
                                && text.charAt(i + 1) == '"'
                                && text.charAt(i + 2) == '"')) {
                    if (text.charAt(i) == '\n') {
                        line++;
                    }
                    i++;
                }
                i += 3;
            } else if (c == '"') {
                i++;
                while (i < n && text.charAt(i) != '"' && text.charAt(i) != '\n') {
                    i += text.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
            } else if (c == '{' || c == '[') {
                depth++;
                dots = 0;
                if (c == '{') {
                    fields++;
                }
                if (depth > MAX_DEPTH) {
                    return Optional.of(tooDeep(line));
                }
                i++;
            } else if (c == '}' || c == ']') {
                depth = Math.max(0, depth - 1);
                dots = 0;
                i++;
            } else if (c == '=' || c == ':') {
                fields++;
                dots = 0;
                if (fields > MAX_FIELDS) {
                    return Optional.of(new Violation(
                            line,
                            "more than " + MAX_FIELDS + " fields (a derpwatch configuration has a few dozen; "
                                    + "put large data such as a DERP map in its own file)"));
                }
                i++;
            } else if (c == '.') {
                dots++;
                if (depth + dots > MAX_DEPTH) {
                    return Optional.of(tooDeep(line));
                }
                i++;
            } else {
                if (c == ',' || Character.isWhitespace(c)) {
                    dots = 0;
                }
                i++;
            }
        }
        return Optional.empty();
    }

    /** Where a chunk of top-level statements starts: an offset into the text and its line (1-based). */
    record Chunk(int offset, int line) {}

    /**
     * Splits the text into chunks of about {@code fieldsPerChunk} top-level statements, only at a newline outside
     * any string, comment or brace, after a line that ends a value (not after {@code = : , [ {}) and before a line
     * that starts a key. Parsing the chunks separately and merging them in a balanced tree avoids Typesafe Config's
     * quadratic merge; a split that is wrong anyway makes a chunk fail to parse, and the caller then parses the
     * whole text.
     */
    static java.util.List<Chunk> chunks(CharSequence text, int fieldsPerChunk) {
        java.util.List<Chunk> out = new java.util.ArrayList<>();
        out.add(new Chunk(0, 1));
        int depth = 0;
        int fields = 0;
        int line = 1;
        char last = '\n';
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                i++;
                if (depth == 0 && fields >= fieldsPerChunk && "=:,[{+".indexOf(last) < 0 && startsKey(text, i)) {
                    out.add(new Chunk(i, line));
                    fields = 0;
                }
                continue;
            }
            if (c == '#' || (c == '/' && i + 1 < n && text.charAt(i + 1) == '/')) {
                while (i < n && text.charAt(i) != '\n') {
                    i++;
                }
                continue;
            }
            if (c == '"' && i + 2 < n && text.charAt(i + 1) == '"' && text.charAt(i + 2) == '"') {
                i += 3;
                while (i < n
                        && !(text.charAt(i) == '"'
                                && i + 2 < n
                                && text.charAt(i + 1) == '"'
                                && text.charAt(i + 2) == '"')) {
                    line += text.charAt(i) == '\n' ? 1 : 0;
                    i++;
                }
                i += 3;
                last = '"';
                continue;
            }
            if (c == '"') {
                i++;
                while (i < n && text.charAt(i) != '"' && text.charAt(i) != '\n') {
                    i += text.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
                last = '"';
                continue;
            }
            if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth = Math.max(0, depth - 1);
            } else if ((c == '=' || c == ':') && depth == 0) {
                fields++;
            }
            if (!Character.isWhitespace(c)) {
                last = c;
            }
            i++;
        }
        return out;
    }

    /** The line at {@code i} starts with a key: a letter, a digit or a quote after optional blanks. */
    private static boolean startsKey(CharSequence text, int i) {
        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i++;
        }
        if (i >= text.length()) {
            return false;
        }
        char c = text.charAt(i);
        return Character.isLetterOrDigit(c) || c == '"';
    }

    private static Violation tooDeep(int line) {
        return new Violation(
                line,
                "nested more than " + MAX_DEPTH + " levels deep (a derpwatch configuration "
                        + "is under 10 levels deep)");
    }
}
