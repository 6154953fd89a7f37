package io.derpwatch.agent.localapi;

import static io.derpwatch.agent.json.GoJsonStreamReader.BOOL;
import static io.derpwatch.agent.json.GoJsonStreamReader.TEXT;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.derpwatch.agent.json.GoJsonStreamReader;
import io.derpwatch.agent.json.GoJsonStreamReader.ValueReader;
import io.derpwatch.agent.json.JsonCapException;
import io.derpwatch.agent.localapi.LocalApiException.Kind;
import io.derpwatch.agent.localapi.NodeStatus.PeerPaths;
import io.derpwatch.config.LocalApiLimits;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Parses {@code /localapi/v0/status} into a {@link NodeStatus}, reading only the fields derpwatch uses and
 * tolerating every other field coming or going between tailscale versions. Field names match exactly first,
 * then case-insensitively (as Go's {@code encoding/json} does); a missing or {@code null} field reads as empty.
 * A document that is not JSON, or not a JSON object, is {@link Kind#MALFORMED_JSON}; one over a cap of
 * {@link LocalApiLimits} (depth, string length, health entries, peers) is {@link Kind#LIMIT_EXCEEDED}, naming the
 * cap's key.
 *
 * <p>Streamed: peers are counted one by one and not kept, unknown fields are skipped, and reading stops at the
 * first cap exceeded, so the work and memory of one parse are bounded by the caps, whatever the body holds.
 */
public final class StatusCodec {
    private final GoJsonStreamReader reader;

    /** With the defaults of {@code reference.conf}. */
    public StatusCodec() {
        this(LocalApiLimits.DEFAULTS);
    }

    public StatusCodec(LocalApiLimits limits) {
        this.reader = new GoJsonStreamReader(limits);
    }

    /** Parses the body; {@code socket} only names the source in the error. */
    public NodeStatus parse(byte[] json, Path socket) throws LocalApiException {
        try (JsonParser p = reader.open(json)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw new LocalApiException(
                        Kind.MALFORMED_JSON,
                        socket,
                        "LocalAPI status from " + socket + " must be a JSON object, got "
                                + GoJsonStreamReader.typeOf(first));
            }
            Map<String, Object> root = GoJsonStreamReader.object(
                    p,
                    Map.of(
                            "Version", TEXT,
                            "BackendState", TEXT,
                            "Self", SELF,
                            "Health", health(reader.limits().maxHealthEntries()),
                            "Peer", peers(reader.limits().maxPeers()),
                            "TailscaleIPs", ADDRESSES));
            Object self = root.get("Self");
            @SuppressWarnings("unchecked")
            List<String> health = (List<String>) root.getOrDefault("Health", List.of());
            return new NodeStatus(
                    (String) root.getOrDefault("Version", ""),
                    (String) root.getOrDefault("BackendState", ""),
                    self instanceof Self,
                    self instanceof Self s ? s.relay() : "",
                    health == null ? List.of() : health,
                    Optional.ofNullable((PeerPaths) root.get("Peer")),
                    tailscaleIps(root));
        } catch (StreamConstraintsException e) {
            throw capExceeded(socket, reader.capExceeded(e));
        } catch (JsonCapException e) {
            throw capExceeded(socket, e);
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
    }

    private static LocalApiException capExceeded(Path socket, JsonCapException e) {
        return new LocalApiException(
                Kind.LIMIT_EXCEEDED, socket, "LocalAPI status from " + socket + " rejected: " + e.getMessage(), e);
    }

    /** {@code TailscaleIPs}: absent is unknown, {@code null} (Go's nil slice) and {@code []} are none. */
    @SuppressWarnings("unchecked")
    private static Optional<List<String>> tailscaleIps(Map<String, ?> root) {
        if (!root.containsKey("TailscaleIPs")) {
            return Optional.empty();
        }
        Object ips = root.get("TailscaleIPs");
        return Optional.of(ips == null ? List.of() : (List<String>) ips);
    }

    /** At most 16 address strings; anything else in the array is skipped; not an array reads as null. */
    private static final ValueReader<List<String>> ADDRESSES = p -> {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            p.skipChildren();
            return null;
        }
        List<String> out = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t == JsonToken.VALUE_STRING && out.size() < 16) {
                out.add(p.getText());
            } else {
                p.skipChildren();
            }
        }
        return out;
    };

    private record Self(String relay) {}

    private static final ValueReader<Self> SELF = p -> {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return null;
        }
        Object relay = GoJsonStreamReader.object(p, Map.of("Relay", TEXT)).get("Relay");
        return new Self(relay == null ? "" : (String) relay);
    };

    private static ValueReader<List<String>> health(int max) {
        return p -> {
            List<String> out = new ArrayList<>();
            if (p.currentToken() != JsonToken.START_ARRAY) {
                p.skipChildren();
                return out;
            }
            int n = 0;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (++n > max) {
                    throw new JsonCapException(
                            "Health has more than " + max + " entries", LocalApiLimits.key("max-health-entries"));
                }
                if (t == JsonToken.VALUE_STRING) {
                    out.add(p.getText());
                } else if (t == JsonToken.START_OBJECT) {
                    Object text =
                            GoJsonStreamReader.object(p, Map.of("Text", TEXT)).get("Text");
                    if (text != null && !((String) text).isEmpty()) {
                        out.add((String) text); // tolerate a structured warning, should a version send one
                    }
                } else {
                    p.skipChildren();
                }
            }
            return out;
        };
    }

    private static final Map<String, ValueReader<?>> PEER_FIELDS =
            Map.of("CurAddr", TEXT, "PeerRelay", TEXT, "Relay", TEXT, "Active", BOOL);

    private static ValueReader<PeerPaths> peers(int max) {
        return p -> {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                return null;
            }
            int n = 0;
            int direct = 0;
            int derp = 0;
            int peerRelay = 0;
            int idle = 0;
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                if (++n > max) {
                    throw new JsonCapException(
                            "Peer has more than " + max + " entries", LocalApiLimits.key("max-peers"));
                }
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    p.skipChildren();
                    continue;
                }
                Map<String, Object> peer = GoJsonStreamReader.object(p, PEER_FIELDS);
                if (!str(peer, "CurAddr").isEmpty()) {
                    direct++;
                } else if (!str(peer, "PeerRelay").isEmpty()) {
                    peerRelay++;
                } else if (!str(peer, "Relay").isEmpty() && Boolean.TRUE.equals(peer.get("Active"))) {
                    derp++;
                } else {
                    idle++;
                }
            }
            return new PeerPaths(direct, derp, peerRelay, idle);
        };
    }

    private static String str(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? "" : (String) v;
    }
}
