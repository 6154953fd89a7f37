package io.derpwatch.agent.localapi;

import static io.derpwatch.agent.json.GoJsonFields.bool;
import static io.derpwatch.agent.json.GoJsonFields.field;
import static io.derpwatch.agent.json.GoJsonFields.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.derpwatch.agent.json.JsonTreeReader;
import io.derpwatch.agent.localapi.LocalApiException.Kind;
import io.derpwatch.agent.localapi.NodeStatus.PeerPaths;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Parses {@code /localapi/v0/status} into a {@link NodeStatus}, reading only the fields derpwatch uses and
 * tolerating every other field coming or going between tailscale versions. Field names match exactly first,
 * then case-insensitively (as Go's {@code encoding/json} does); a missing or {@code null} field reads as empty.
 * Only a document that is not JSON, or not a JSON object, is an error.
 */
public final class StatusCodec {
    private final JsonTreeReader reader = new JsonTreeReader();

    /** Parses the body; {@code socket} only names the source in the error. */
    public NodeStatus parse(byte[] json, Path socket) throws LocalApiException {
        JsonNode root;
        try {
            root = reader.read(json);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null
                    ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr();
            throw new LocalApiException(
                    Kind.MALFORMED_JSON,
                    socket,
                    "LocalAPI status from " + socket + " is not JSON: " + e.getOriginalMessage() + where,
                    e);
        } catch (IOException e) {
            throw new LocalApiException(Kind.MALFORMED_JSON, socket, "LocalAPI status unreadable: " + e, e);
        }
        if (root == null || !root.isObject()) {
            throw new LocalApiException(
                    Kind.MALFORMED_JSON,
                    socket,
                    "LocalAPI status from " + socket + " must be a JSON object, got "
                            + (root == null ? "nothing" : root.getNodeType()));
        }
        JsonNode self = field(root, "Self");
        boolean selfPresent = self != null && self.isObject();
        return new NodeStatus(
                text(root, "Version"),
                text(root, "BackendState"),
                selfPresent,
                selfPresent ? text(self, "Relay") : "",
                health(field(root, "Health")),
                peers(field(root, "Peer")));
    }

    private static List<String> health(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node == null || !node.isArray()) {
            return out;
        }
        for (JsonNode w : node) {
            if (w.isTextual()) {
                out.add(w.asText());
            } else if (w.isObject()) {
                String text = text(w, "Text");
                if (!text.isEmpty()) {
                    out.add(text); // tolerate a structured warning, should a version send one
                }
            }
        }
        return out;
    }

    private static Optional<PeerPaths> peers(JsonNode node) {
        if (node == null || !node.isObject()) {
            return Optional.empty();
        }
        int direct = 0;
        int derp = 0;
        int peerRelay = 0;
        int idle = 0;
        for (JsonNode p : node) {
            if (!p.isObject()) {
                continue;
            }
            if (!text(p, "CurAddr").isEmpty()) {
                direct++;
            } else if (!text(p, "PeerRelay").isEmpty()) {
                peerRelay++;
            } else if (!text(p, "Relay").isEmpty() && bool(p, "Active")) {
                derp++;
            } else {
                idle++;
            }
        }
        return Optional.of(new PeerPaths(direct, derp, peerRelay, idle));
    }
}
