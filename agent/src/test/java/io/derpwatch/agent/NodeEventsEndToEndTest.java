package io.derpwatch.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.derpwatch.lab.LocalApiEmulator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Node-level events through the whole agent against the lab: "No IP assigned". */
class NodeEventsEndToEndTest {
    @TempDir
    Path dir;

    private LocalApiEmulator lab;

    @BeforeEach
    void startLab() {
        lab = LocalApiEmulator.start(dir.resolve("tailscaled.sock"));
    }

    @AfterEach
    void stopLab() {
        lab.close();
    }

    @Test
    void runningWithoutTailscaleIps_raisesNoIpAssigned_thenClearsIt_homeReasonUnchanged() throws Exception {
        lab.update(s -> s.withTailscaleIps(List.of()));
        try (LabAgent agent = new LabAgent(lab, Map.of("derpwatch.status.interval", "200ms"))) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !agent.events("tailscale.node.no_ip_assigned").isEmpty());

            lab.update(s -> s.withTailscaleIps(List.of("100.64.0.7", "fd7a:115c:a1e0::7")));

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> agent.events("tailscale.node.no_ip_assigned").size() >= 2);
            assertThat(agent.events("tailscale.node.no_ip_assigned"))
                    .extracting(e -> e.get("tailscale.health.state") + " " + e.get("tailscale.backend.state"))
                    .containsExactly("raised Running", "resolved Running");
            // tailscaled still says it is connected to its home DERP: the reason is not "no IP"
            assertThat(agent.events("tailscale.derp.home_connection.changed"))
                    .extracting(e -> e.get("reason"))
                    .containsOnly("connected");
        }
    }

    @Test
    void stoppedWithoutTailscaleIps_isNotNoIpAssigned() throws Exception {
        lab.update(s -> s.withTailscaleIps(List.of()).withBackendState("Stopped"));
        try (LabAgent agent = new LabAgent(lab, Map.of())) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !agent.events("tailscale.derp.home_connection.changed")
                            .isEmpty());
            // a status read has been turned into events by now; none of them says "no IP"
            assertThat(agent.events("tailscale.node.no_ip_assigned")).isEmpty();
        }
    }
}
