package io.derpwatch.agent.ping;

import static io.derpwatch.agent.json.GoJsonFields.bool;
import static io.derpwatch.agent.json.GoJsonFields.field;
import static io.derpwatch.agent.json.GoJsonFields.integer;
import static io.derpwatch.agent.json.GoJsonFields.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.derpwatch.agent.json.JsonTreeReader;
import java.io.IOException;
import java.time.Duration;

/**
 * Reads {@code ipnstate.PingResult} (the body of {@code POST /localapi/v0/ping}) as Go's encoding/json would:
 * case-insensitive names, missing fields empty. Only a body that is not a JSON object is an error.
 */
public final class PingCodec {
    private final JsonTreeReader reader = new JsonTreeReader();

    public PingResult parse(byte[] json) throws PingException {
        JsonNode root;
        try {
            root = reader.read(json);
        } catch (IOException e) {
            throw new PingException("ping answer is not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new PingException("ping answer must be a JSON object");
        }
        JsonNode latency = field(root, "LatencySeconds");
        double seconds = latency != null && latency.isNumber() ? latency.asDouble() : 0;
        if (!(seconds >= 0) || seconds > 86_400) {
            throw new PingException("ping answer has an impossible LatencySeconds: " + latency);
        }
        return new PingResult(
                text(root, "IP"),
                text(root, "NodeIP"),
                text(root, "NodeName"),
                text(root, "Err"),
                Duration.ofNanos(Math.round(seconds * 1e9)),
                text(root, "Endpoint"),
                text(root, "PeerRelay"),
                integer(root, "DERPRegionID", 0),
                text(root, "DERPRegionCode"),
                bool(root, "IsLocalIP"));
    }
}
