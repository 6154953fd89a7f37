package io.derpwatch.lab;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * Generates {@code /localapi/v0/status} documents with many peers on mixed paths, each peer shaped like the
 * real entries of {@code status-02.json} (every field tailscaled writes, about 1.5 KB a peer), for tests of the
 * peer counts and of memory at tailnet scale. Peer {@code i} is {@code peer-<i>} ({@code peer-00000}, ...);
 * the paths come in the order direct, DERP, peer relay, idle. Written streaming, so a 10 000-peer document
 * never has to be held to be produced.
 */
public final class LabPeers {
    private static final JsonFactory JSON = new JsonFactory();
    private static final String[] REGIONS = {"fra", "nyc", "sin", "lhr"};

    /** How many peers on each path; {@code online} of them (from the first) are online. */
    public record Mix(int direct, int derp, int peerRelay, int idle, int online) {
        public int total() {
            return direct + derp + peerRelay + idle;
        }
    }

    private LabPeers() {}

    public static byte[] status(Mix mix) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(4096, mix.total() * 1400));
        write(mix, out);
        return out.toByteArray();
    }

    public static String hostName(int i) {
        return String.format(Locale.ROOT, "peer-%05d", i);
    }

    /** The Tailscale IPv4 of peer {@code i} (in 100.64.0.0/10, as control assigns). */
    public static String tailscaleIp(int i) {
        return "100." + (64 + (i >> 16 & 63)) + "." + (i >> 8 & 255) + "." + (i & 255);
    }

    public static void write(Mix mix, OutputStream out) {
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            // indented with tabs, as tailscaled's json.Encoder writes it (most of the ~1.5 KB a peer)
            g.setPrettyPrinter(new DefaultPrettyPrinter()
                    .withObjectIndenter(new DefaultIndenter("\t", "\n"))
                    .withArrayIndenter(new DefaultIndenter("\t", "\n")));
            g.writeStartObject();
            g.writeStringField("Version", "1.92.3-t0123456789-gabcdef012");
            g.writeBooleanField("TUN", true);
            g.writeStringField("BackendState", "Running");
            g.writeBooleanField("HaveNodeKey", true);
            g.writeStringField("AuthURL", "");
            g.writeArrayFieldStart("TailscaleIPs");
            g.writeString("100.64.0.1");
            g.writeEndArray();
            g.writeObjectFieldStart("Self");
            g.writeStringField("HostName", "lab-self");
            g.writeStringField("DNSName", "lab-self.tail0000.ts.net.");
            g.writeArrayFieldStart("Addrs"); // the node's own endpoints: public (NAT-mapped) and local
            g.writeString("203.0.113.10:41641");
            g.writeString("192.168.1.10:41641");
            g.writeEndArray();
            g.writeStringField("Relay", "fra");
            g.writeBooleanField("Online", true);
            g.writeEndObject();
            g.writeArrayFieldStart("Health");
            g.writeEndArray();
            g.writeStringField("MagicDNSSuffix", "tail0000.ts.net");
            g.writeObjectFieldStart("Peer");
            int n = mix.total();
            for (int i = 0; i < n; i++) {
                String path = i < mix.direct()
                        ? "direct"
                        : i < mix.direct() + mix.derp()
                                ? "derp"
                                : i < mix.direct() + mix.derp() + mix.peerRelay() ? "peer_relay" : "idle";
                peer(g, i, path, i < mix.online());
            }
            g.writeEndObject();
            g.writeNullField("User");
            g.writeEndObject();
            g.writeRaw('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void peer(JsonGenerator g, int i, String path, boolean online) throws IOException {
        String key = String.format(Locale.ROOT, "%064x", (long) i * 0x9E3779B97F4A7C15L);
        String ip = tailscaleIp(i);
        String v6 = "fd7a:115c:a1e0::" + Integer.toHexString(i + 1);
        g.writeObjectFieldStart("nodekey:" + key);
        g.writeStringField("ID", "n" + i + "CNTRL");
        g.writeStringField("PublicKey", "nodekey:" + key);
        g.writeStringField("HostName", hostName(i));
        g.writeStringField("DNSName", hostName(i) + ".tail0000.ts.net.");
        g.writeStringField("OS", "linux");
        g.writeNumberField("UserID", 1000 + i);
        g.writeArrayFieldStart("TailscaleIPs");
        g.writeString(ip);
        g.writeString(v6);
        g.writeEndArray();
        g.writeArrayFieldStart("AllowedIPs");
        g.writeString(ip + "/32");
        g.writeString(v6 + "/128");
        g.writeEndArray();
        g.writeArrayFieldStart("Addrs");
        g.writeString("198.51.100." + (i & 255) + ":41641");
        g.writeString("192.168.1." + (i & 255) + ":41641");
        g.writeEndArray();
        g.writeStringField("CurAddr", path.equals("direct") ? "198.51.100." + (i & 255) + ":41641" : "");
        g.writeStringField("Relay", REGIONS[i % REGIONS.length]);
        g.writeStringField("PeerRelay", path.equals("peer_relay") ? "100.64.9.9:40000:vni:" + i : "");
        g.writeNumberField("RxBytes", path.equals("idle") ? 0 : 1000L * i);
        g.writeNumberField("TxBytes", path.equals("idle") ? 0 : 900L * i);
        g.writeStringField("Created", "2026-06-13T05:15:03.824909465Z");
        g.writeStringField("LastWrite", "2026-06-13T23:36:09.078963222+07:00");
        g.writeStringField("LastSeen", "0001-01-01T00:00:00Z");
        g.writeStringField("LastHandshake", "2026-06-13T23:36:09.078963222+07:00");
        g.writeBooleanField("Online", online);
        g.writeBooleanField("ExitNode", false);
        g.writeBooleanField("ExitNodeOption", false);
        g.writeBooleanField("Active", !path.equals("idle"));
        g.writeArrayFieldStart("PeerAPIURL");
        g.writeString("http://" + ip + ":1");
        g.writeString("http://[" + v6 + "]:1");
        g.writeEndArray();
        g.writeNumberField("TaildropTarget", 1);
        g.writeStringField("NoFileSharingReason", "");
        g.writeBooleanField("InNetworkMap", true);
        g.writeBooleanField("InMagicSock", true);
        g.writeBooleanField("InEngine", true);
        g.writeStringField("KeyExpiry", "2026-12-10T05:15:03Z");
        g.writeEndObject();
    }
}
