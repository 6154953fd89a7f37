package io.derpwatch.agent.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.derpwatch.config.LocalApiLimits;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Streams a JSON document written by Go's {@code encoding/json} with bounded work: nesting depth and string length
 * are capped by the parser itself ({@link LocalApiLimits}), objects are read field by field, and only the fields
 * asked for are kept, so memory follows what the caller keeps, not the size of the document. Field names match the
 * way Go matches them (as {@link GoJsonFields} does on a tree): an exact name wins, else the first name equal
 * ignoring case; a {@code null} or mistyped value reads as empty.
 */
public final class GoJsonStreamReader {
    /** Reads one value whose first token is the parser's current token, leaving the parser on its last token. */
    @FunctionalInterface
    public interface ValueReader<T> {
        @Nullable
        T read(JsonParser p) throws IOException;
    }

    /** A scalar as text; "" for {@code null}, an object or an array. */
    public static final ValueReader<String> TEXT = p -> {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return "";
        }
        if (t.isStructStart()) {
            p.skipChildren();
            return "";
        }
        return p.getText();
    };

    /** {@code true}, a non-zero integer or the string {@code "true"} (as Jackson's {@code asBoolean}). */
    public static final ValueReader<Boolean> BOOL = p -> switch (p.currentToken()) {
        case VALUE_TRUE -> true;
        case VALUE_NUMBER_INT ->
            p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    ? p.getBigIntegerValue().signum() != 0
                    : p.getLongValue() != 0;
        case VALUE_STRING -> "true".equals(p.getText().trim());
        case START_OBJECT, START_ARRAY -> {
            p.skipChildren();
            yield false;
        }
        default -> false;
    };

    /** A number in {@code int} range (a fraction is truncated), else null. */
    public static final ValueReader<Integer> INT = p -> switch (p.currentToken()) {
        case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.INT ? p.getIntValue() : null;
        case VALUE_NUMBER_FLOAT -> {
            double d = p.getDoubleValue();
            yield d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE ? (int) d : null;
        }
        case START_OBJECT, START_ARRAY -> {
            p.skipChildren();
            yield null;
        }
        default -> null;
    };

    /** A number (or numeric string) as a double; 0 otherwise (as Jackson's {@code asDouble}). */
    public static final ValueReader<Double> DOUBLE = p -> switch (p.currentToken()) {
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getDoubleValue();
        case VALUE_TRUE -> 1.0;
        case VALUE_STRING -> {
            try {
                yield Double.parseDouble(p.getText().trim());
            } catch (NumberFormatException e) {
                yield 0.0;
            }
        }
        case START_OBJECT, START_ARRAY -> {
            p.skipChildren();
            yield 0.0;
        }
        default -> 0.0;
    };

    private final JsonFactory factory;
    private final LocalApiLimits limits;

    public GoJsonStreamReader(LocalApiLimits limits) {
        this.limits = limits;
        this.factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(limits.maxJsonDepth())
                        .maxStringLength(limits.maxStringLength())
                        .maxNameLength(limits.maxStringLength())
                        .build())
                .build();
    }

    public LocalApiLimits limits() {
        return limits;
    }

    /** A parser over {@code json} with the depth and string caps applied. */
    public JsonParser open(byte[] json) throws IOException {
        return factory.createParser(json);
    }

    /**
     * The cap exception for a parser's constraint violation: which cap, its value, its key. A violation this reader
     * did not configure is returned as a generic cap on the document.
     */
    public JsonCapException capExceeded(StreamConstraintsException e) {
        String m = String.valueOf(e.getOriginalMessage());
        if (m.contains("nesting depth")) {
            return new JsonCapException(
                    "JSON nested deeper than " + limits.maxJsonDepth(), LocalApiLimits.key("max-json-depth"));
        }
        if (m.contains("length")) {
            return new JsonCapException(
                    "a JSON string or name is longer than " + limits.maxStringLength() + " characters",
                    LocalApiLimits.key("max-string-length"));
        }
        return new JsonCapException("JSON document too large: " + m, LocalApiLimits.PATH);
    }

    /**
     * Reads the object whose {@code START_OBJECT} is the current token and returns, for each name in
     * {@code wanted} that is present, what its reader gave (null values included); every other field is skipped
     * without being kept.
     */
    public static Map<String, @Nullable Object> object(JsonParser p, Map<String, ValueReader<?>> wanted)
            throws IOException {
        Map<String, @Nullable Object> exact = new HashMap<>();
        Map<String, @Nullable Object> folded = new HashMap<>();
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String name = p.currentName();
            p.nextToken();
            ValueReader<?> reader = wanted.get(name);
            if (reader != null) {
                exact.put(name, reader.read(p));
                continue;
            }
            String canonical = foldedMatch(name, wanted);
            if (canonical != null && !exact.containsKey(canonical) && !folded.containsKey(canonical)) {
                folded.put(canonical, wanted.get(canonical).read(p));
            } else {
                p.skipChildren();
            }
        }
        folded.putAll(exact);
        return folded;
    }

    private static @Nullable String foldedMatch(String name, Map<String, ValueReader<?>> wanted) {
        for (String w : wanted.keySet()) {
            if (w.equalsIgnoreCase(name)) {
                return w;
            }
        }
        return null;
    }

    /** The JSON type of a value's first token, as Jackson's {@code JsonNodeType} names it (for messages). */
    public static String typeOf(@Nullable JsonToken t) {
        if (t == null) {
            return "nothing";
        }
        return switch (t) {
            case START_OBJECT -> "OBJECT";
            case START_ARRAY -> "ARRAY";
            case VALUE_STRING -> "STRING";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "NUMBER";
            case VALUE_TRUE, VALUE_FALSE -> "BOOLEAN";
            case VALUE_NULL -> "NULL";
            default -> t.name();
        };
    }
}
