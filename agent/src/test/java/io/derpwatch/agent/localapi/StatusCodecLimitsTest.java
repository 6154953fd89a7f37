package io.derpwatch.agent.localapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.derpwatch.config.LocalApiLimits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Every cap of {@code derpwatch.localapi.limits} on a status document: a clear error naming the cap's key. */
class StatusCodecLimitsTest {
    private static final Path SOCKET = Path.of("/run/test.sock");
    private static final StatusCodec CODEC = new StatusCodec(new LocalApiLimits(8, 100, 3, 4, 5, 6));

    @Test
    void healthEntries_overTheCap_areLimitExceeded_namingMaxHealthEntries() {
        assertRejected("{\"Health\":[\"a\",\"b\",\"c\",\"d\"]}", "max-health-entries", "more than 3 entries");
    }

    @Test
    void healthEntries_atTheCap_areRead() throws LocalApiException {
        assertThat(CODEC.parse(bytes("{\"Health\":[\"a\",\"b\",\"c\"]}"), SOCKET)
                        .health())
                .containsExactly("a", "b", "c");
    }

    @Test
    void peers_overTheCap_areLimitExceeded_namingMaxPeers() {
        String peers = IntStream.range(0, 5).mapToObj(i -> "\"k" + i + "\":{}").collect(Collectors.joining(","));

        assertRejected("{\"Peer\":{" + peers + "}}", "max-peers", "more than 4 entries");
    }

    @Test
    void aLongString_isLimitExceeded_namingMaxStringLength() {
        assertRejected("{\"Self\":{\"Relay\":\"" + "x".repeat(5_000) + "\"}}", "max-string-length", "longer than 100");
    }

    @Test
    void aLongStringInAnUnknownField_isSkippedWithoutBeingRead() throws LocalApiException {
        NodeStatus status = CODEC.parse(bytes("{\"Other\":\"" + "x".repeat(5_000) + "\",\"Version\":\"1\"}"), SOCKET);

        assertThat(status.version()).isEqualTo("1");
    }

    @Test
    void deepNesting_evenInAnUnknownField_isLimitExceeded_namingMaxJsonDepth() {
        assertRejected("{\"Other\":" + "[".repeat(20) + "]".repeat(20) + "}", "max-json-depth", "deeper than 8");
    }

    @Test
    void defaultCaps_accept_everyRealFixture() throws Exception {
        for (String f : new String[] {"status-02.json", "status-04.json", "status-05.json", "status-06.json"}) {
            assertThat(new StatusCodec(LocalApiLimits.DEFAULTS)
                            .parse(io.derpwatch.agent.home.StatusFixtures.read(f), SOCKET)
                            .selfPresent())
                    .isTrue();
        }
    }

    private static void assertRejected(String doc, String cap, String what) {
        assertThatThrownBy(() -> CODEC.parse(bytes(doc), SOCKET)).isInstanceOfSatisfying(LocalApiException.class, e -> {
            assertThat(e.kind()).isEqualTo(LocalApiException.Kind.LIMIT_EXCEEDED);
            assertThat(e.kind().wireName()).isEqualTo("limit_exceeded");
            assertThat(e.getMessage())
                    .contains("derpwatch.localapi.limits." + cap)
                    .contains(what)
                    .contains(SOCKET.toString());
        });
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
