package io.derpwatch.agent.ipn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class IpnNotifyCodecTest {
    private final IpnNotifyCodec codec = new IpnNotifyCodec();

    private IpnNotify parse(String json) throws IpnNotifyException {
        return codec.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void initialNotify_readsVersionStateAsANumberAndStructuredHealth() throws Exception {
        IpnNotify n = parse("{\"Version\":\"1.102.1\",\"SessionID\":\"s\",\"State\":6,\"Health\":{\"Warnings\":{"
                + "\"no-derp-connection\":{\"WarnableCode\":\"no-derp-connection\",\"Severity\":\"medium\","
                + "\"Title\":\"Relay server unavailable\",\"Text\":\"Tailscale could not connect to the 'r3' relay server.\","
                + "\"BrokenSince\":\"2026-12-01T11:00:00Z\",\"Args\":{\"RegionID\":\"3\",\"RegionName\":\"r3\"},"
                + "\"ImpactsConnectivity\":true,\"DependsOn\":[\"network-status\"]}}}}");
        assertThat(n.version()).isEqualTo("1.102.1");
        assertThat(n.state()).contains(BackendState.RUNNING);
        HealthWarning w = n.health().orElseThrow().get("no-derp-connection");
        assertThat(w.severity()).isEqualTo("medium");
        assertThat(w.title()).isEqualTo("Relay server unavailable");
        assertThat(w.impactsConnectivity()).isTrue();
        assertThat(w.args()).containsEntry("RegionID", "3").containsEntry("RegionName", "r3");
        assertThat(w.brokenSince()).isEqualTo("2026-12-01T11:00:00Z");
        assertThat(n.fellBehind()).isFalse();
    }

    @Test
    void healthWithoutWarnings_isHealthy_andNoHealthField_isNoHealthNews() throws Exception {
        assertThat(parse("{\"Health\":{\"Warnings\":{}}}").health()).hasValue(java.util.Map.of());
        assertThat(parse("{\"Health\":{\"Warnings\":null}}").health()).hasValue(java.util.Map.of());
        assertThat(parse("{\"Version\":\"1.98.4\"}").health()).isEmpty();
    }

    @Test
    void everyStateNumber_mapsToTailscalesName_andUnknownOnesAreAbsent() throws Exception {
        String[] names = {
            "NoState", "InUseOtherUser", "NeedsLogin", "NeedsMachineAuth", "Stopped", "Starting", "Running"
        };
        for (int i = 0; i < names.length; i++) {
            assertThat(parse("{\"State\":" + i + "}").state().orElseThrow().wireName())
                    .isEqualTo(names[i]);
        }
        assertThat(parse("{\"State\":7}").state()).isEmpty();
        assertThat(parse("{\"state\":\"Stopped\"}").state()).contains(BackendState.STOPPED);
    }

    @Test
    void errMessage_fellBehind_isRecognised() throws Exception {
        IpnNotify n = parse("{\"ErrMessage\":\"IPN bus consumer fell behind; closing watch\"}");
        assertThat(n.errMessage()).hasValue("IPN bus consumer fell behind; closing watch");
        assertThat(n.fellBehind()).isTrue();
    }

    @Test
    void selfChange_givesTheHomeRegion_andOtherFieldsAreIgnored() throws Exception {
        IpnNotify n =
                parse("{\"SelfChange\":{\"HomeDERP\":7,\"Name\":\"x\"},\"NetMap\":{\"Peers\":[1,2]},\"Engine\":{}}");
        assertThat(n.homeRegionId()).hasValue(7);
        assertThat(n.state()).isEmpty();
    }

    @Test
    void notJson_orNotAnObject_isAClearError() {
        assertThatThrownBy(() -> parse("{\"State\": Running"))
                .isInstanceOf(IpnNotifyException.class)
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> parse("[1]"))
                .isInstanceOf(IpnNotifyException.class)
                .hasMessageContaining("must be a JSON object");
    }
}
