package io.derpwatch.agent.netcheck;

import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.agent.derp.DerpNode;
import io.derpwatch.agent.derp.DerpRegion;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure parts of one report: reply source matching and the choice of the captive-portal node. */
class ReportPartsTest {

    private static InetSocketAddress at(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    @Test
    void aReply_matchesItsDestination_alsoAsAnIpv4MappedIpv6Address() throws Exception {
        assertThat(ReportAddresses.sameEndpoint(at("127.0.0.21", 3478), at("127.0.0.21", 3478)))
                .isTrue();
        assertThat(ReportAddresses.sameEndpoint(at("127.0.0.21", 3478), at("::ffff:127.0.0.21", 3478)))
                .isTrue();
    }

    @Test
    void aReply_fromAnotherAddressOrPort_doesNotMatch() throws Exception {
        assertThat(ReportAddresses.sameEndpoint(at("127.0.0.21", 3478), at("127.0.0.22", 3478)))
                .isFalse();
        assertThat(ReportAddresses.sameEndpoint(at("127.0.0.21", 3478), at("127.0.0.21", 3479)))
                .isFalse();
        assertThat(ReportAddresses.sameEndpoint(at("127.0.0.21", 3478), at("::ffff:127.0.0.22", 3478)))
                .isFalse();
    }

    @Test
    void captivePortalNode_isTheFastestRegionsPort80Node() {
        DerpRegion slow = region(1, node("1a", 1, true));
        DerpRegion fast = region(2, node("2a", 2, false), node("2b", 2, true));
        List<RegionLatency> latencies = List.of(
                new RegionLatency(1, AddressFamily.IPV4, ProbeKind.STUN, Duration.ofMillis(80)),
                new RegionLatency(2, AddressFamily.IPV4, ProbeKind.STUN, Duration.ofMillis(20)),
                new RegionLatency(1, AddressFamily.IPV6, ProbeKind.STUN, Duration.ofMillis(90)));

        assertThat(HttpsChecks.captivePortalNode(List.of(slow, fast), latencies))
                .map(DerpNode::name)
                .contains("2b");
    }

    @Test
    void captivePortalNode_withoutAnswers_isTheFirstRegionsPort80Node_andNoneWithoutOne() {
        DerpRegion a = region(1, node("1a", 1, true));
        DerpRegion b = region(2, node("2a", 2, true));

        assertThat(HttpsChecks.captivePortalNode(List.of(a, b), List.of()))
                .map(DerpNode::name)
                .contains("1a");
        assertThat(HttpsChecks.captivePortalNode(List.of(region(3, node("3a", 3, false))), List.of()))
                .isEmpty();
    }

    private static DerpRegion region(int id, DerpNode... nodes) {
        return new DerpRegion(id, "r" + id, "Region " + id, false, false, List.of(nodes));
    }

    private static DerpNode node(String name, int region, boolean canPort80) {
        return new DerpNode(
                name, region, name + ".lab.test", "127.0.0." + (20 + region), "none", 3478, false, 0, canPort80);
    }
}
