package io.derpwatch.agent.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.derpwatch.agent.home.StatusFixtures;
import io.derpwatch.lab.LabPeers;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerStatusCodecTest {
    @TempDir
    Path dir;

    private static PeerCounts parse(byte[] doc, int cap) throws PeerStatusException {
        return new PeerStatusCodec(cap).parse(doc, e -> {});
    }

    @Test
    void realStatus_withOneDirectAndOneIdlePeer() throws Exception {
        // status-04: peer 2 has CurAddr 172.16.31.147:41641 (direct), peer 1 none and Active false (idle)
        PeerCounts c = parse(StatusFixtures.read("status-04.json"), 10);

        assertThat(c.count(PeerPath.DIRECT)).isEqualTo(1);
        assertThat(c.count(PeerPath.IDLE)).isEqualTo(1);
        assertThat(c.count(PeerPath.DERP)).isZero();
        assertThat(c.online()).isEqualTo(2);
        assertThat(c.entries()).extracting(PeerEntry::hostName).containsOnly("localhost");
    }

    @Test
    void realStatus_withoutPeers_countsNothing() throws Exception {
        PeerCounts c = parse(StatusFixtures.read("status-05.json"), 10);

        assertThat(c.total()).isZero();
        assertThat(c.relayedShare()).isZero();
    }

    @Test
    void mixedPaths_areCountedByPath_andTheRelayedShareIsOverActivePeers() throws Exception {
        byte[] doc = LabPeers.status(new LabPeers.Mix(3, 4, 1, 2, 7));

        PeerCounts c = parse(doc, 100);

        assertThat(c.count(PeerPath.DIRECT)).isEqualTo(3);
        assertThat(c.count(PeerPath.DERP)).isEqualTo(4);
        assertThat(c.count(PeerPath.PEER_RELAY)).isEqualTo(1);
        assertThat(c.count(PeerPath.IDLE)).isEqualTo(2);
        assertThat(c.online()).isEqualTo(7);
        assertThat(c.relayedShare()).isEqualTo(5.0 / 8);
        assertThat(c.entries().get(3))
                .isEqualTo(new PeerEntry("peer-00003.tail0000.ts.net.", "peer-00003", PeerPath.DERP, "lhr", true));
    }

    @Test
    void entries_areCapped_theRestCounted() throws Exception {
        PeerCounts c = parse(LabPeers.status(new LabPeers.Mix(5, 5, 0, 0, 0)), 3);

        assertThat(c.entries()).hasSize(3);
        assertThat(c.truncated()).isEqualTo(7);
        assertThat(c.total()).isEqualTo(10);
    }

    @Test
    void entries_neverHoldKeysOrAddresses() throws Exception {
        PeerCounts c = parse(LabPeers.status(new LabPeers.Mix(1, 0, 1, 0, 2)), 10);

        assertThat(c.entries().toString()).doesNotContain("nodekey:", "100.", "198.51.100.", "vni");
    }

    @Test
    void notJson_isAClearError_withTheLocation() {
        assertThatThrownBy(() -> parse("{\"Peer\": {\"k\": {\"HostName\": x".getBytes(StandardCharsets.UTF_8), 1))
                .isInstanceOf(PeerStatusException.class)
                .hasMessageContaining("not JSON")
                .hasMessageContaining("line 1");
        assertThatThrownBy(() -> parse("[]".getBytes(StandardCharsets.UTF_8), 1))
                .isInstanceOf(PeerStatusException.class)
                .hasMessageContaining("JSON object");
    }

    @Test
    void findAddress_byHostNameDnsNameOrIp() throws Exception {
        byte[] doc = LabPeers.status(new LabPeers.Mix(2, 2, 0, 0, 4));

        assertThat(PeerStatusCodec.findAddress(doc, "peer-00002")).contains(LabPeers.tailscaleIp(2));
        assertThat(PeerStatusCodec.findAddress(doc, "peer-00003.tail0000.ts.net"))
                .contains(LabPeers.tailscaleIp(3));
        assertThat(PeerStatusCodec.findAddress(doc, LabPeers.tailscaleIp(1))).contains(LabPeers.tailscaleIp(1));
        assertThat(PeerStatusCodec.findAddress(doc, "nobody")).isEmpty();
    }

    @Test
    void streamingParse_ofA10000PeerDocument_countsEveryPeer_withoutHoldingIt() throws Exception {
        // written and read as streams: nothing the size of the document is ever in memory
        Path file = dir.resolve("status-10000.json");
        try (OutputStream out = Files.newOutputStream(file)) {
            LabPeers.write(new LabPeers.Mix(2500, 5000, 500, 2000, 9000), out);
        }
        List<PeerEntry> seen = new ArrayList<>();
        PeerCounts c;
        try (var in = Files.newInputStream(file)) {
            c = new PeerStatusCodec(0).parse(in, e -> {
                if (seen.size() < 1) {
                    seen.add(e);
                }
            });
        }
        assertThat(c.total()).isEqualTo(10_000);
        assertThat(c.count(PeerPath.DERP)).isEqualTo(5000);
        assertThat(c.entries()).isEmpty();
    }

    @Test
    void a10000PeerDocument_isCountedWithinTheLaunchersHeap() throws Exception {
        Path file = dir.resolve("status-10000.json");
        try (OutputStream out = Files.newOutputStream(file)) {
            LabPeers.write(new LabPeers.Mix(2500, 5000, 500, 2000, 9000), out);
        }
        long size = Files.size(file);
        assertThat(size).as("about 1.5 KB a peer, as tailscaled writes it").isGreaterThan(10_000L * 1200);
        // the launcher's heap (derpwatch script: -Xmx48m) and Serial GC; the whole body in memory, as the
        // LocalAPI client hands it over, plus per-peer tracking of every peer and 100 capped entries
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx48m",
                        "-Xmn1m",
                        "-XX:+UseSerialGC",
                        "-cp",
                        System.getProperty("java.class.path"),
                        PeerCountMain.class.getName(),
                        file.toString(),
                        "100")
                .redirectErrorStream(true)
                .start();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        p.getInputStream().transferTo(output);
        int exit = p.waitFor();
        String text = output.toString(StandardCharsets.UTF_8);

        assertThat(exit).as(text).isZero();
        assertThat(text)
                .contains("direct=2500 derp=5000 peer_relay=500 idle=2000 online=9000 entries=100 tracked=10000");
    }

    @Test
    void selfUdpPort_isThePortOfThePrivateEndpoint_notANatMappedOne() throws Exception {
        // status-04's Self.Addrs: 123.226.19.113:41641, 123.226.19.113:11043, 172.16.30.208:41641
        assertThat(parse(StatusFixtures.read("status-04.json"), 0).selfUdpPort())
                .isEqualTo(41641);
        assertThat(SelfEndpoints.udpPort(List.of("203.0.113.7:11043", "[fd7a::1]:52113", "10.0.0.5:52113")))
                .isEqualTo(52113);
        assertThat(SelfEndpoints.udpPort(List.of("203.0.113.7:11043"))).isEqualTo(11043);
        assertThat(SelfEndpoints.udpPort(List.of("not-an-endpoint", "host.example:x")))
                .isZero();
        assertThat(parse("{\"Self\": {\"HostName\": \"x\"}}".getBytes(StandardCharsets.UTF_8), 0)
                        .selfUdpPort())
                .as("a Self without Addrs")
                .isZero();
    }

    @Test
    void fedOneByteAtATime_countsTheSameAsWhole() throws Exception {
        byte[] doc = LabPeers.status(new LabPeers.Mix(3, 2, 1, 1, 4));
        PeerStatusReader reader = new PeerStatusReader(2, e -> {});
        for (int i = 0; i < doc.length; i++) {
            reader.feed(java.nio.ByteBuffer.wrap(doc, i, 1));
        }
        PeerCounts c = reader.finish();

        assertThat(c).isEqualTo(parse(doc, 2));
        assertThat(c.count(PeerPath.PEER_RELAY)).isEqualTo(1);
        assertThat(c.entries()).hasSize(2);
    }

    @Test
    void aDocumentCutShort_isAClearError() throws Exception {
        byte[] doc = LabPeers.status(new LabPeers.Mix(3, 2, 1, 1, 4));
        PeerStatusReader reader = new PeerStatusReader(0, e -> {});
        reader.feed(java.nio.ByteBuffer.wrap(doc, 0, doc.length / 2));
        assertThatThrownBy(reader::finish).isInstanceOf(PeerStatusException.class);
        assertThatThrownBy(() -> new PeerStatusReader(0, e -> {}).finish())
                .isInstanceOf(PeerStatusException.class)
                .hasMessageContaining("JSON object");
    }
}
