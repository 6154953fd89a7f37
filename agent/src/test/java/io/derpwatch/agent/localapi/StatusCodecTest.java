package io.derpwatch.agent.localapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.derpwatch.agent.home.StatusFixtures;
import io.derpwatch.agent.localapi.NodeStatus.PeerPaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatusCodecTest {
    private static final Path SOCKET = Path.of("/run/test.sock");
    private final StatusCodec codec = new StatusCodec();

    @ParameterizedTest(name = "{0} ({1}) reads as {2}, home {3}")
    @CsvSource({
        "status-02.json, 1.98.4-t9e69045b2-ged3a62f14, Running, sin",
        "status-04.json, 1.102.4-t3caf7d9e7-g084ee3b64, Running, tok",
        "status-05.json, 1.94.2-t0a29cf18b-g3f044c9f6, NeedsLogin, nue",
        "status-06.json, 1.76.1-ERR-BuildInfo, Running, sea"
    })
    void fixture_readsVersionStateAndHomeRegion(String file, String version, String state, String relay)
            throws LocalApiException {
        NodeStatus status = codec.parse(StatusFixtures.read(file), SOCKET);

        assertThat(status.version()).isEqualTo(version);
        assertThat(status.backendState()).isEqualTo(state);
        assertThat(status.selfPresent()).isTrue();
        assertThat(status.selfRelay()).isEqualTo(relay);
    }

    @Test
    void health_readsWarningTexts() throws LocalApiException {
        NodeStatus status = codec.parse(StatusFixtures.read("status-05.json"), SOCKET);

        assertThat(status.health())
                .containsExactly("Unable to connect to the Tailscale coordination server to"
                        + " synchronize the state of your tailnet. Peer reachability might degrade over time.");
    }

    @Test
    void peers_directActiveIdleFromTheDocument() throws LocalApiException {
        // status-04: iphone-13 has CurAddr (direct), the iPad has only Relay and is inactive (idle)
        assertThat(codec.parse(StatusFixtures.read("status-04.json"), SOCKET).peers())
                .contains(new PeerPaths(1, 0, 0, 1));
        // status-06 (pre-1.82 shape, no PeerRelay field): one idle peer whose Relay is its own home
        assertThat(codec.parse(StatusFixtures.read("status-06.json"), SOCKET).peers())
                .contains(new PeerPaths(0, 0, 0, 1));
        // status-05: "Peer": null
        assertThat(codec.parse(StatusFixtures.read("status-05.json"), SOCKET).peers())
                .isEmpty();
    }

    @Test
    void peers_activeThroughRelayCountsAsDerpAndPeerRelayAsPeerRelay() throws LocalApiException {
        String doc = """
                {"BackendState":"Running","Self":{"Relay":"fra"},"Peer":{
                  "a":{"CurAddr":"","Relay":"fra","Active":true},
                  "b":{"CurAddr":"","PeerRelay":"100.64.0.9:7777","Relay":"fra","Active":true}}}""";

        assertThat(codec.parse(bytes(doc), SOCKET).peers()).contains(new PeerPaths(0, 1, 1, 0));
    }

    @Test
    void missingFields_readAsEmpty() throws LocalApiException {
        NodeStatus status = codec.parse(bytes("{}"), SOCKET);

        assertThat(status).isEqualTo(new NodeStatus("", "", false, "", java.util.List.of(), Optional.empty()));
    }

    @Test
    void tailscaleIps_absentIsUnknown_nullAndEmptyAreNone_andOnlyRunningOrStartingIsNoIpAssigned()
            throws LocalApiException {
        assertThat(codec.parse(bytes("{\"BackendState\":\"Running\"}"), SOCKET).noIpAssigned())
                .as("an older document without the field says nothing")
                .isFalse();
        NodeStatus none = codec.parse(bytes("{\"BackendState\":\"Running\",\"TailscaleIPs\":null}"), SOCKET);
        assertThat(none.tailscaleIps()).contains(java.util.List.of());
        assertThat(none.noIpAssigned()).isTrue();
        assertThat(codec.parse(bytes("{\"BackendState\":\"Starting\",\"TailscaleIPs\":[]}"), SOCKET)
                        .noIpAssigned())
                .isTrue();
        assertThat(codec.parse(bytes("{\"BackendState\":\"Stopped\",\"TailscaleIPs\":[]}"), SOCKET)
                        .noIpAssigned())
                .isFalse();
        NodeStatus some = codec.parse(
                bytes("{\"BackendState\":\"Running\",\"TailscaleIPs\":[\"100.64.0.1\",7,{\"x\":1}]}"), SOCKET);
        assertThat(some.tailscaleIps()).contains(java.util.List.of("100.64.0.1"));
        assertThat(some.noIpAssigned()).isFalse();
    }

    @Test
    void nullSelfAndNullHealth_readAsAbsent() throws LocalApiException {
        NodeStatus status = codec.parse(bytes("{\"BackendState\":\"Running\",\"Self\":null,\"Health\":null}"), SOCKET);

        assertThat(status.selfPresent()).isFalse();
        assertThat(status.health()).isEmpty();
    }

    @Test
    void fieldNames_matchCaseInsensitivelyLikeGo() throws LocalApiException {
        NodeStatus status = codec.parse(bytes("{\"backendstate\":\"Running\",\"self\":{\"relay\":\"ams\"}}"), SOCKET);

        assertThat(status.backendState()).isEqualTo("Running");
        assertThat(status.selfRelay()).isEqualTo("ams");
    }

    @Test
    void unknownFieldsAndStructuredWarnings_areTolerated() throws LocalApiException {
        NodeStatus status = codec.parse(
                bytes("{\"BackendState\":\"Running\",\"FutureField\":{\"x\":[1,2]},"
                        + "\"Health\":[\"plain\",{\"Code\":\"c\",\"Text\":\"structured\"},42]}"),
                SOCKET);

        assertThat(status.health()).containsExactly("plain", "structured");
    }

    @Test
    void garbage_isMalformedJsonWithItsPosition() {
        assertThatThrownBy(() -> codec.parse(bytes("{\"BackendState\": Running}"), SOCKET))
                .isInstanceOfSatisfying(LocalApiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(LocalApiException.Kind.MALFORMED_JSON);
                    assertThat(e.getMessage()).contains("line 1").contains(SOCKET.toString());
                });
    }

    @Test
    void nonObject_isMalformedJson() {
        for (String doc : new String[] {"null", "[]", "\"Running\"", ""}) {
            assertThatThrownBy(() -> codec.parse(bytes(doc), SOCKET))
                    .as(doc)
                    .isInstanceOfSatisfying(
                            LocalApiException.class,
                            e -> assertThat(e.kind()).isEqualTo(LocalApiException.Kind.MALFORMED_JSON));
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
