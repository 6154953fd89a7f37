package io.derpwatch.agent.ping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.derpwatch.agent.peers.PeerPath;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PingCodecTest {
    private final PingCodec codec = new PingCodec();

    private PingResult parse(String json) throws PingException {
        return codec.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void derpPong_isDerpWithTheRegionCode_likeThePing01Fixture() throws Exception {
        // ping-01: "pong from my-mobile-device (100.xxx.xxx.xxx) via DERP(lhr) in 335ms"
        PingResult r =
                parse("{\"IP\":\"100.101.102.103\",\"NodeIP\":\"100.101.102.103\",\"NodeName\":\"my-mobile-device\","
                        + "\"LatencySeconds\":0.335,\"DERPRegionID\":4,\"DERPRegionCode\":\"lhr\",\"PeerAPIPort\":0}");

        assertThat(r.path()).isEqualTo(new PingPath(PeerPath.DERP, "lhr"));
        assertThat(r.latency()).isEqualTo(Duration.ofMillis(335));
        assertThat(PingFormats.line(r, false))
                .isEqualTo("pong from my-mobile-device (100.101.102.103) via DERP(lhr) in 335ms");
    }

    @Test
    void directPong_classifiesTheEndpointKind() throws Exception {
        assertThat(parse("{\"Endpoint\":\"203.0.113.7:41641\",\"LatencySeconds\":0.01}")
                        .path())
                .isEqualTo(new PingPath(PeerPath.DIRECT, "ipv4"));
        assertThat(parse("{\"Endpoint\":\"[2001:db8::1]:41641\",\"LatencySeconds\":0.01}")
                        .path())
                .isEqualTo(new PingPath(PeerPath.DIRECT, "ipv6"));
        assertThat(parse("{\"Endpoint\":\"192.168.1.83:41641\",\"LatencySeconds\":0.001}")
                        .path())
                .isEqualTo(new PingPath(PeerPath.DIRECT, "lan"));
    }

    @Test
    void peerRelayPong_isPeerRelay_evenWithADerpRegionSet() throws Exception {
        assertThat(parse("{\"PeerRelay\":\"100.64.9.9:40000:vni:7\",\"DERPRegionID\":4,\"LatencySeconds\":0.02}")
                        .path()
                        .kind())
                .isEqualTo(PeerPath.PEER_RELAY);
    }

    @Test
    void tailscaledsError_isNoPath_andPrintedAsIs() throws Exception {
        PingResult r = parse("{\"IP\":\"100.99.99.99\",\"Err\":\"no matching peer\",\"LatencySeconds\":0}");

        assertThat(r.ok()).isFalse();
        assertThat(r.path().kind()).isEqualTo(PeerPath.IDLE);
        assertThat(PingFormats.line(r, true)).isEqualTo("no matching peer");
    }

    @Test
    void fieldNamesMatchCaseInsensitively_asGoDoes() throws Exception {
        assertThat(parse("{\"derpregioncode\":\"fra\",\"derpregionid\":1,\"latencyseconds\":1.5}")
                        .latency())
                .isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void badAnswers_areClearErrors() {
        assertThatThrownBy(() -> parse("[1]")).isInstanceOf(PingException.class).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> parse("{\"LatencySeconds\":-1}"))
                .isInstanceOf(PingException.class)
                .hasMessageContaining("LatencySeconds");
        assertThatThrownBy(() -> parse("{oops"))
                .isInstanceOf(PingException.class)
                .hasMessageContaining("not JSON");
    }

    @Test
    void latencies_printLikeGoDurationsRoundedToMilliseconds() {
        assertThat(PingFormats.goMillis(Duration.ofNanos(100))).isEqualTo("0s");
        assertThat(PingFormats.goMillis(Duration.ofMillis(129))).isEqualTo("129ms");
        assertThat(PingFormats.goMillis(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(PingFormats.goMillis(Duration.ofMillis(61_234))).isEqualTo("1m1.234s");
    }
}
