package io.derpwatch.agent.ipn;

import static io.derpwatch.agent.json.GoJsonFields.bool;
import static io.derpwatch.agent.json.GoJsonFields.field;
import static io.derpwatch.agent.json.GoJsonFields.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.derpwatch.agent.json.JsonTreeReader;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Parses one IPN-bus record (an {@code ipn.Notify} JSON object) into an {@link IpnNotify}, reading only the
 * fields derpwatch uses and tolerating every other field (a netmap, prefs, engine status, ...) coming or going.
 * Field names match as Go's {@code encoding/json} does. {@code State} is a number on the bus; a string is
 * accepted too (as {@code /status} spells it). A record that is not a JSON object is an error.
 */
public final class IpnNotifyCodec {
    private final JsonTreeReader reader = new JsonTreeReader();

    public IpnNotify parse(byte[] record) throws IpnNotifyException {
        JsonNode root;
        try {
            root = reader.read(record);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null
                    ? ""
                    : " at column " + e.getLocation().getColumnNr();
            throw new IpnNotifyException("IPN bus record is not JSON: " + e.getOriginalMessage() + where, e);
        } catch (IOException e) {
            throw new IpnNotifyException("IPN bus record unreadable: " + e, e);
        }
        if (root == null || !root.isObject()) {
            throw new IpnNotifyException(
                    "IPN bus record must be a JSON object, got " + (root == null ? "nothing" : root.getNodeType()),
                    null);
        }
        JsonNode err = field(root, "ErrMessage");
        Optional<String> errMessage = err == null || err.isNull() ? Optional.empty() : Optional.of(err.asText());
        return new IpnNotify(text(root, "Version"), errMessage, state(field(root, "State")), health(root), home(root));
    }

    private static Optional<BackendState> state(JsonNode n) {
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (n.canConvertToInt() && n.isIntegralNumber()) {
            return BackendState.ofNumber(n.asInt());
        }
        return n.isTextual() ? BackendState.ofName(n.asText()) : Optional.empty();
    }

    private static Optional<Map<String, HealthWarning>> health(JsonNode root) {
        JsonNode h = field(root, "Health");
        if (h == null || !h.isObject()) {
            return Optional.empty();
        }
        Map<String, HealthWarning> out = new LinkedHashMap<>();
        JsonNode warnings = field(h, "Warnings");
        if (warnings != null && warnings.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = warnings.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode w = e.getValue();
                if (w == null || !w.isObject()) {
                    continue; // null: not unhealthy
                }
                String code = text(w, "WarnableCode");
                out.put(
                        e.getKey(),
                        new HealthWarning(
                                code.isEmpty() ? e.getKey() : code,
                                text(w, "Severity"),
                                text(w, "Title"),
                                text(w, "Text"),
                                bool(w, "ImpactsConnectivity"),
                                args(field(w, "Args")),
                                text(w, "BrokenSince")));
            }
        }
        return Optional.of(out);
    }

    private static Map<String, String> args(JsonNode n) {
        Map<String, String> out = new LinkedHashMap<>();
        if (n != null && n.isObject()) {
            n.fields().forEachRemaining(e -> {
                if (!e.getValue().isContainerNode() && !e.getValue().isNull()) {
                    out.put(e.getKey(), e.getValue().asText());
                }
            });
        }
        return out;
    }

    private static OptionalInt home(JsonNode root) {
        JsonNode self = field(root, "SelfChange");
        if (self == null || !self.isObject()) {
            return OptionalInt.empty();
        }
        JsonNode home = field(self, "HomeDERP");
        return home != null && home.canConvertToInt() ? OptionalInt.of(home.asInt()) : OptionalInt.empty();
    }
}
