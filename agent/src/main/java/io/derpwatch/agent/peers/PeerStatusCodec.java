package io.derpwatch.agent.peers;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Reads the peers of {@code /localapi/v0/status} (with peers) through the streaming {@link PeerStatusReader},
 * keeping only the counts by path, the online count and the first {@code cap} peers: memory does not grow with
 * the tailnet (a status document is about 1.5 KB per peer); and finds a peer's address for {@code ping}.
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
        PeerStatusReader reader = new PeerStatusReader(cap, eachPeer);
        reader.feed(ByteBuffer.wrap(json));
        return reader.finish();
    }

    public PeerCounts parse(InputStream json, Consumer<PeerEntry> eachPeer) throws PeerStatusException {
        PeerStatusReader reader = new PeerStatusReader(cap, eachPeer);
        byte[] buffer = new byte[16 * 1024];
        try {
            int n;
            while ((n = json.read(buffer)) >= 0) {
                reader.feed(ByteBuffer.wrap(buffer, 0, n));
            }
        } catch (IOException e) {
            throw new PeerStatusException("status unreadable: " + e, e);
        }
        return reader.finish();
    }

    /** A reader for one document fed as it arrives (what the peers source uses). */
    public PeerStatusReader reader(Consumer<PeerEntry> eachPeer) {
        return new PeerStatusReader(cap, eachPeer);
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

    private static PeerStatusException malformed(JsonProcessingException e) {
        String where = e.getLocation() == null
                ? ""
                : " at line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr();
        return new PeerStatusException("status is not JSON: " + e.getOriginalMessage() + where, e);
    }
}
