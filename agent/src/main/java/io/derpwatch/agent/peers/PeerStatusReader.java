package io.derpwatch.agent.peers;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteBufferFeeder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Counts the peers of a {@code /localapi/v0/status} document fed to it piece by piece, as the bytes arrive
 * ({@link #feed}, then {@link #finish}): Jackson's non-blocking parser, so neither the document nor a copy of it
 * is ever held, and memory is the parser's few KiB, the counts and the capped entries whatever the tailnet's
 * size. Of each peer only {@code HostName}, {@code DNSName}, {@code CurAddr}/{@code PeerRelay} (whether set),
 * {@code Relay}, {@code Active} and {@code Online} are read; of {@code Self} only the ports of {@code Addrs}.
 * Field names match case-insensitively, as Go's {@code encoding/json} does. One document per reader; not
 * thread-safe.
 */
public final class PeerStatusReader {
    // field names are not canonicalized: every peer is keyed by its own node key, and 10 000 unique names make
    // the symbol table grow and rehash far past linear cost (docs/benchmarks.md#peers-at-scale)
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .build();
    /** Self's endpoints looked at: a node lists a handful. */
    private static final int MAX_SELF_ADDRS = 64;

    private enum Where {
        START,
        TOP,
        PEERS,
        PEER,
        SELF,
        SELF_ADDRS,
        DONE
    }

    private final JsonParser parser;
    private final ByteBufferFeeder feeder;
    private final int cap;
    private final Consumer<PeerEntry> eachPeer;

    private Where where = Where.START;
    private int skipDepth;
    private String field = "";

    private final Map<PeerPath, Integer> counts = new EnumMap<>(PeerPath.class);
    private final List<PeerEntry> entries = new ArrayList<>();
    private int online;
    private int truncated;
    private final List<String> selfAddrs = new ArrayList<>();

    // the peer being read
    private String host = "";
    private String dns = "";
    private String relay = "";
    private boolean curAddr;
    private boolean peerRelay;
    private boolean active;
    private boolean peerOnline;

    /**
     * @param cap      how many peers to keep as entries (0 for counts only)
     * @param eachPeer sees every peer as it is read (for path-change tracking)
     */
    public PeerStatusReader(int cap, Consumer<PeerEntry> eachPeer) {
        if (cap < 0) {
            throw new IllegalArgumentException("per-peer cap must be >= 0: " + cap);
        }
        this.cap = cap;
        this.eachPeer = eachPeer;
        try {
            this.parser = FACTORY.createNonBlockingByteBufferParser();
        } catch (IOException e) {
            throw new IllegalStateException("Jackson has no non-blocking parser", e);
        }
        this.feeder = (ByteBufferFeeder) parser.getNonBlockingInputFeeder();
    }

    /** Reads the next bytes of the document; {@code bytes} may be reused by the caller once this returns. */
    public void feed(ByteBuffer bytes) throws PeerStatusException {
        try {
            feeder.feedInput(bytes);
            drain();
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw new PeerStatusException("status unreadable: " + e, e);
        }
    }

    /** The document has ended: its counts, or why it is not a whole status document. */
    public PeerCounts finish() throws PeerStatusException {
        try {
            feeder.endOfInput();
            drain();
            parser.close();
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw new PeerStatusException("status unreadable: " + e, e);
        }
        if (where == Where.START) {
            throw new PeerStatusException("status must be a JSON object, got nothing");
        }
        if (where != Where.DONE) {
            throw new PeerStatusException("status document ends early");
        }
        return new PeerCounts(counts, online, entries, truncated, SelfEndpoints.udpPort(selfAddrs));
    }

    private void drain() throws IOException, PeerStatusException {
        JsonToken t;
        while ((t = parser.nextToken()) != null && t != JsonToken.NOT_AVAILABLE) {
            token(t);
        }
    }

    private void token(JsonToken t) throws IOException, PeerStatusException {
        if (skipDepth > 0) {
            if (t.isStructStart()) {
                skipDepth++;
            } else if (t.isStructEnd()) {
                skipDepth--;
            }
            return;
        }
        if (t == JsonToken.FIELD_NAME) {
            field = parser.currentName();
            return;
        }
        switch (where) {
            case START -> {
                if (t != JsonToken.START_OBJECT) {
                    throw new PeerStatusException("status must be a JSON object, got " + t);
                }
                where = Where.TOP;
            }
            case TOP -> {
                if (t == JsonToken.END_OBJECT) {
                    where = Where.DONE;
                } else if (t == JsonToken.START_OBJECT && field.equalsIgnoreCase("Peer")) {
                    where = Where.PEERS;
                } else if (t == JsonToken.START_OBJECT && field.equalsIgnoreCase("Self")) {
                    where = Where.SELF;
                } else {
                    skipIfStruct(t);
                }
            }
            case PEERS -> {
                if (t == JsonToken.END_OBJECT) {
                    where = Where.TOP;
                } else if (t == JsonToken.START_OBJECT) {
                    beginPeer();
                    where = Where.PEER;
                } else {
                    skipIfStruct(t); // a null or odd peer: not a peer
                }
            }
            case PEER -> {
                if (t == JsonToken.END_OBJECT) {
                    endPeer();
                    where = Where.PEERS;
                } else if (!skipIfStruct(t)) {
                    peerField(t);
                }
            }
            case SELF -> {
                if (t == JsonToken.END_OBJECT) {
                    where = Where.TOP;
                } else if (t == JsonToken.START_ARRAY && field.equalsIgnoreCase("Addrs")) {
                    where = Where.SELF_ADDRS;
                } else {
                    skipIfStruct(t);
                }
            }
            case SELF_ADDRS -> {
                if (t == JsonToken.END_ARRAY) {
                    where = Where.SELF;
                } else if (t == JsonToken.VALUE_STRING && selfAddrs.size() < MAX_SELF_ADDRS) {
                    selfAddrs.add(parser.getText());
                } else {
                    skipIfStruct(t);
                }
            }
            case DONE -> skipIfStruct(t); // trailing values after the document are ignored
        }
    }

    private boolean skipIfStruct(JsonToken t) {
        if (t.isStructStart()) {
            skipDepth = 1;
            return true;
        }
        return false;
    }

    private void beginPeer() {
        host = "";
        dns = "";
        relay = "";
        curAddr = false;
        peerRelay = false;
        active = false;
        peerOnline = false;
    }

    private void peerField(JsonToken t) throws IOException {
        String f = field;
        if (f.equalsIgnoreCase("HostName")) {
            host = scalar(t);
        } else if (f.equalsIgnoreCase("DNSName")) {
            dns = scalar(t);
        } else if (f.equalsIgnoreCase("Relay")) {
            relay = scalar(t);
        } else if (f.equalsIgnoreCase("CurAddr")) {
            curAddr = !scalar(t).isEmpty();
        } else if (f.equalsIgnoreCase("PeerRelay")) {
            peerRelay = !scalar(t).isEmpty();
        } else if (f.equalsIgnoreCase("Active")) {
            active = t == JsonToken.VALUE_TRUE;
        } else if (f.equalsIgnoreCase("Online")) {
            peerOnline = t == JsonToken.VALUE_TRUE;
        }
    }

    private void endPeer() {
        PeerEntry e = new PeerEntry(
                dns.isEmpty() ? host : dns, host, PeerPath.of(curAddr, peerRelay, active), relay, peerOnline);
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

    private String scalar(JsonToken t) throws IOException {
        return t == JsonToken.VALUE_NULL ? "" : parser.getText();
    }

    private static PeerStatusException malformed(JsonProcessingException e) {
        String where = e.getLocation() == null
                ? ""
                : " at line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr();
        return new PeerStatusException("status is not JSON: " + e.getOriginalMessage() + where, e);
    }
}
