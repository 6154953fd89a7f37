package io.derpwatch.agent.peers;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Reads the peers of {@code /localapi/v0/status} (with peers) with Jackson's streaming parser, keeping only
 * the counts by path, the online count and the first {@code cap} peers: memory does not grow with the tailnet
 * (a status document is about 1.5 KB per peer). Of each peer only {@code HostName}, {@code DNSName},
 * {@code CurAddr}/{@code PeerRelay} (whether set), {@code Relay}, {@code Active} and {@code Online} are read;
 * keys and addresses are skipped. Field names match case-insensitively, as Go's {@code encoding/json} does.
 */
public final class PeerStatusCodec {
    private static final JsonFactory FACTORY = new JsonFactory();

    private final int cap;

    /** @param cap how many peers to keep as entries (0 for counts only) */
    public PeerStatusCodec(int cap) {
        if (cap < 0) {
            throw new IllegalArgumentException("per-peer cap must be >= 0: " + cap);
        }
        this.cap = cap;
    }

    /** Counts the peers of a status document; {@code eachPeer} sees every peer (for path-change tracking). */
    public PeerCounts parse(byte[] json, Consumer<PeerEntry> eachPeer) throws PeerStatusException {
        try (JsonParser p = FACTORY.createParser(json)) {
            return parse(p, eachPeer);
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw new PeerStatusException("status unreadable: " + e, e);
        }
    }

    public PeerCounts parse(InputStream json, Consumer<PeerEntry> eachPeer) throws PeerStatusException {
        try (JsonParser p = FACTORY.createParser(json)) {
            return parse(p, eachPeer);
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw new PeerStatusException("status unreadable: " + e, e);
        }
    }

    /**
     * The first Tailscale IP of the peer whose {@code HostName}, {@code DNSName} (with or without the trailing
     * dot, or its first label) or one of whose {@code TailscaleIPs} is {@code name}: what {@code derpwatch ping}
     * sends to.
     */
    public static Optional<String> findAddress(byte[] json, String name) throws PeerStatusException {
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new PeerStatusException("status must be a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if (field.equalsIgnoreCase("Peer") && v == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        if (p.nextToken() != JsonToken.START_OBJECT) {
                            p.skipChildren();
                            continue;
                        }
                        Optional<String> found = matchPeer(p, name);
                        if (found.isPresent()) {
                            return found;
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
            return Optional.empty();
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw new PeerStatusException("status unreadable: " + e, e);
        }
    }

    private static Optional<String> matchPeer(JsonParser p, String name) throws IOException {
        String host = "";
        String dns = "";
        List<String> ips = new ArrayList<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken t = p.nextToken();
            if (f.equalsIgnoreCase("HostName") && t == JsonToken.VALUE_STRING) {
                host = p.getText();
            } else if (f.equalsIgnoreCase("DNSName") && t == JsonToken.VALUE_STRING) {
                dns = p.getText();
            } else if (f.equalsIgnoreCase("TailscaleIPs") && t == JsonToken.START_ARRAY) {
                while (p.nextToken() == JsonToken.VALUE_STRING) {
                    ips.add(p.getText());
                }
            } else {
                p.skipChildren();
            }
        }
        String bareDns = dns.endsWith(".") ? dns.substring(0, dns.length() - 1) : dns;
        int dot = bareDns.indexOf('.');
        String label = dot < 0 ? bareDns : bareDns.substring(0, dot);
        boolean matches = name.equalsIgnoreCase(host)
                || (!dns.isEmpty()
                        && (name.equalsIgnoreCase(dns)
                                || name.equalsIgnoreCase(bareDns)
                                || name.equalsIgnoreCase(label)))
                || ips.contains(name);
        return matches && !ips.isEmpty() ? Optional.of(ips.contains(name) ? name : ips.get(0)) : Optional.empty();
    }

    private PeerCounts parse(JsonParser p, Consumer<PeerEntry> eachPeer) throws IOException, PeerStatusException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new PeerStatusException("status must be a JSON object, got " + p.currentToken());
        }
        Map<PeerPath, Integer> counts = new EnumMap<>(PeerPath.class);
        List<PeerEntry> entries = new ArrayList<>();
        int online = 0;
        int truncated = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            if (!field.equalsIgnoreCase("Peer") || v != JsonToken.START_OBJECT) {
                p.skipChildren();
                continue;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    p.skipChildren(); // a null or odd peer: not a peer
                    continue;
                }
                PeerEntry e = peer(p);
                counts.merge(e.path(), 1, Integer::sum);
                if (e.online()) {
                    online++;
                }
                if (entries.size() < cap) {
                    entries.add(e);
                } else {
                    truncated++;
                }
                eachPeer.accept(e);
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw new PeerStatusException("status document ends early");
        }
        return new PeerCounts(counts, online, entries, truncated);
    }

    private static PeerEntry peer(JsonParser p) throws IOException {
        String host = "";
        String dns = "";
        String relay = "";
        boolean curAddr = false;
        boolean peerRelay = false;
        boolean active = false;
        boolean online = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                p.skipChildren();
            } else if (f.equalsIgnoreCase("HostName")) {
                host = scalar(p, t);
            } else if (f.equalsIgnoreCase("DNSName")) {
                dns = scalar(p, t);
            } else if (f.equalsIgnoreCase("Relay")) {
                relay = scalar(p, t);
            } else if (f.equalsIgnoreCase("CurAddr")) {
                curAddr = !scalar(p, t).isEmpty();
            } else if (f.equalsIgnoreCase("PeerRelay")) {
                peerRelay = !scalar(p, t).isEmpty();
            } else if (f.equalsIgnoreCase("Active")) {
                active = t == JsonToken.VALUE_TRUE;
            } else if (f.equalsIgnoreCase("Online")) {
                online = t == JsonToken.VALUE_TRUE;
            }
        }
        return new PeerEntry(dns.isEmpty() ? host : dns, host, PeerPath.of(curAddr, peerRelay, active), relay, online);
    }

    private static String scalar(JsonParser p, JsonToken t) throws IOException {
        return t == JsonToken.VALUE_NULL ? "" : p.getText();
    }

    private static PeerStatusException malformed(JsonProcessingException e) {
        String where = e.getLocation() == null
                ? ""
                : " at line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr();
        return new PeerStatusException("status is not JSON: " + e.getOriginalMessage() + where, e);
    }
}
