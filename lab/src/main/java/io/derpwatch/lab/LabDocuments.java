package io.derpwatch.lab;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The documents the emulator serves: a real {@code tailscale status --json} and a real DERP map, shipped as
 * resources (see {@code SOURCES.txt} beside them), with the parts a {@link LabNodeState} controls rewritten.
 * Output is indented with tabs and ends in a newline, as tailscaled's {@code json.Encoder} writes it.
 */
final class LabDocuments {
    private final ObjectMapper mapper = new ObjectMapper();
    private final ObjectWriter writer;
    private final ObjectNode status;
    private final ObjectNode derpMap;
    private byte[] padded;

    LabDocuments() {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withObjectIndenter(new DefaultIndenter("\t", "\n"))
                .withArrayIndenter(new DefaultIndenter("\t", "\n"));
        writer = mapper.writer(printer);
        status = (ObjectNode) read("status.json");
        derpMap = loopback((ObjectNode) read("derpmap.json"));
    }

    private volatile String version;

    String version() {
        String v = version;
        return v != null ? v : status.path("Version").asText("");
    }

    /** Serves {@code v} as the status document's {@code Version} (an older or newer daemon). */
    void version(String v) {
        version = v;
    }

    /** The status document as this state makes it; {@code peers=false} leaves {@code Peer} null. */
    byte[] status(LabNodeState state, boolean peers) {
        ObjectNode doc = status.deepCopy();
        doc.put("Version", version());
        doc.put("BackendState", state.backendState());
        if (state.selfPresent()) {
            ((ObjectNode) doc.get("Self")).put("Relay", state.relay());
        } else {
            doc.remove("Self");
        }
        state.tailscaleIps().ifPresent(ips -> {
            for (ObjectNode target : new ObjectNode[] {doc, (ObjectNode) doc.get("Self")}) {
                if (target == null) {
                    continue;
                }
                if (ips.isEmpty()) {
                    target.set("TailscaleIPs", NullNode.getInstance());
                } else {
                    ips.forEach(target.putArray("TailscaleIPs")::add);
                }
            }
        });
        ArrayNode health = doc.putArray("Health");
        state.health().forEach(health::add);
        if (!peers) {
            doc.set("Peer", NullNode.getInstance());
        }
        return bytes(doc);
    }

    byte[] derpMap(LabNodeState state) {
        return derpMap(state, java.util.Map.of());
    }

    /**
     * The shipped DERP map with every node on loopback, the nodes of the regions in {@code derpServers} (by
     * region id) at that DERP server's port.
     */
    byte[] derpMap(LabNodeState state, java.util.Map<Integer, java.net.InetSocketAddress> derpServers) {
        if (!state.derpMapPresent()) {
            return "null\n".getBytes(StandardCharsets.US_ASCII);
        }
        ObjectNode map = derpMap.deepCopy();
        derpServers.forEach((id, address) -> {
            for (JsonNode node : map.path("Regions").path(String.valueOf(id)).path("Nodes")) {
                ((ObjectNode) node).put("IPv4", address.getAddress().getHostAddress());
                ((ObjectNode) node).put("DERPPort", address.getPort());
            }
        });
        return bytes(map);
    }

    /**
     * The shipped map with each node's addresses on loopback ({@code IPv4} 127.0.0.1, {@code IPv6} ::1, host
     * {@code derp<ID>.lab.test}) and DERP port 1 (nothing listens there: a check is refused at once), so
     * nothing the agent does against the lab leaves the machine. A lab DERP server replaces a region's port.
     */
    private static ObjectNode loopback(ObjectNode map) {
        for (JsonNode region : map.path("Regions")) {
            for (JsonNode node : region.path("Nodes")) {
                ObjectNode n = (ObjectNode) node;
                n.put("HostName", "derp" + n.path("RegionID").asInt() + ".lab.test");
                n.put("IPv4", "127.0.0.1");
                n.put("IPv6", "::1");
                n.put("DERPPort", 1);
            }
        }
        return map;
    }

    /**
     * A syntactically valid status document padded with an extra field to at least {@code size} bytes; made
     * once per size (from the default state) so an oversized answer costs no more than a normal one.
     */
    synchronized byte[] padded(int size) {
        if (padded == null || padded.length < size) {
            ObjectNode doc = (ObjectNode) readBytes(status(LabNodeState.connected(), false));
            doc.put("LabPadding", "x".repeat(size));
            padded = bytes(doc);
        }
        return padded;
    }

    private JsonNode read(String name) {
        try (InputStream in = LabDocuments.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("lab resource missing: " + name);
            }
            return mapper.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("lab resource unreadable: " + name, e);
        }
    }

    private JsonNode readBytes(byte[] json) {
        try {
            return mapper.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] bytes(JsonNode node) {
        try {
            byte[] body = writer.writeValueAsBytes(node);
            byte[] withNewline = new byte[body.length + 1];
            System.arraycopy(body, 0, withNewline, 0, body.length);
            withNewline[body.length] = '\n';
            return withNewline;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
