package io.derpwatch.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.agent.view.AgentView;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusSummaryTest {
    private static AgentView view(boolean connected) {
        AgentView.Home home = new AgentView.Home(
                connected,
                connected ? 1 : 0,
                connected ? "connected" : "derp_unreachable",
                "fra",
                4,
                "Frankfurt",
                connected ? null : "Tailscale could not connect to the 'Frankfurt' relay server.",
                "Running",
                "1.98.4",
                null,
                "2026-12-01T12:00:00Z");
        return new AgentView(
                1,
                "2026-12-01T12:00:01Z",
                "dev",
                "agent",
                home,
                new AgentView.Netcheck("2026-12-01T12:00:00Z", 800, true, true, false, true, null, 1),
                List.of(
                        new AgentView.Region(4, "fra", "Frankfurt", 31.2, false, true),
                        new AgentView.Region(9, "dfw", "Dallas", null, false, false),
                        new AgentView.Region(1, "nyc", "New York City", 12.0, true, false)),
                List.of(),
                new AgentView.Peers(3, 1, 0, 2),
                connected ? List.of() : List.of("Tailscale could not connect to the 'Frankfurt' relay server."),
                List.of(),
                List.of(),
                List.of(new AgentView.Sink("backend", 2, 10, 1, 1, Map.of("queue_full", 3L), "connection refused")));
    }

    private static String print(AgentView v, boolean colour) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new StatusSummary(colour).print(v, "http://127.0.0.1:9479", new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void regionTable_isSortedByLatency_preferredStarred_unansweredLast() {
        String text = print(view(true), false);

        assertThat(text)
                .contains("home DERP:   fra (4, Frankfurt)")
                .contains("netcheck:    UDP yes, IPv4 yes, IPv6 no, hard NAT yes")
                .contains("peers:       direct 3, derp 1, peer_relay 0, idle 2")
                .contains(
                        "sink backend: queued 2, exported 10, failed 1, dropped queue_full 3, last error: connection refused");
        String table = text.substring(text.indexOf("REGION"));
        int nyc = table.indexOf("* nyc");
        int fra = table.indexOf("  fra ");
        int dfw = table.indexOf("  dfw ");
        assertThat(nyc).isPositive().isLessThan(fra);
        assertThat(fra).isLessThan(dfw);
        assertThat(text).containsPattern("\\* nyc +1 +New York City +12\\.0 ms preferred");
        assertThat(text).containsPattern("fra +4 +Frankfurt +31\\.2 ms home");
        assertThat(text).containsPattern("dfw +9 +Dallas +-");
    }

    @Test
    void notConnected_showsTheReasonWarningAndHealth() {
        String text = print(view(false), false);

        assertThat(text)
                .contains("connection:  NOT connected (home_connection=0, reason derp_unreachable)")
                .contains("warning:     Tailscale could not connect")
                .contains("health:      1 warning(s)");
    }

    @Test
    void colour_onlyWhenAsked() {
        assertThat(print(view(true), false)).doesNotContain("\u001b[");
        assertThat(print(view(true), true)).contains("\u001b[32mconnected\u001b[0m");
    }
}
