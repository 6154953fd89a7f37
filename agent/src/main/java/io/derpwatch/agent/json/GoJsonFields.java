package io.derpwatch.agent.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;

/**
 * Reads fields of JSON written by Go's {@code encoding/json} (tailscaled's documents) the way Go reads them:
 * names match exactly first, then case-insensitively; a missing or {@code null} field reads as empty.
 */
public final class GoJsonFields {
    private GoJsonFields() {}

    /** The field's node, or null when absent. */
    public static JsonNode field(JsonNode n, String name) {
        JsonNode exact = n.get(name);
        if (exact != null) {
            return exact;
        }
        Iterator<String> names = n.fieldNames();
        while (names.hasNext()) {
            String candidate = names.next();
            if (candidate.equalsIgnoreCase(name)) {
                return n.get(candidate);
            }
        }
        return null;
    }

    /** A scalar as text; "" when absent, null, an object or an array. */
    public static String text(JsonNode n, String name) {
        JsonNode v = field(n, name);
        return v == null || v.isNull() || v.isContainerNode() ? "" : v.asText();
    }

    public static boolean bool(JsonNode n, String name) {
        JsonNode v = field(n, name);
        return v != null && v.asBoolean(false);
    }

    public static int integer(JsonNode n, String name, int absent) {
        JsonNode v = field(n, name);
        return v == null || !v.canConvertToInt() ? absent : v.asInt();
    }
}
