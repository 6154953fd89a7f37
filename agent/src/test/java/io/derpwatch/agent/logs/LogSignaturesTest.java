package io.derpwatch.agent.logs;

import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.agent.home.StatusFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LogSignaturesTest {
    private static final LogLineParser PARSER =
            new LogLineParser(ZoneOffset.UTC, Instant.parse("2026-07-20T00:00:00Z"));

    /** Line number → signature id for every line of a real log that matches; every other line matches nothing. */
    private static Map<Integer, String> matches(String fixture) throws IOException {
        List<String> lines = Files.readAllLines(StatusFixtures.tailscaleDir().resolve(fixture), StandardCharsets.UTF_8);
        Map<Integer, String> out = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            int n = i + 1;
            LogSignatures.match(PARSER.parse(lines.get(i))).ifPresent(m -> out.put(n, m.signature()));
        }
        return out;
    }

    private static LogMatch only(String line) {
        Optional<LogMatch> m = LogSignatures.match(PARSER.parse(line));
        assertThat(m).as(line).isPresent();
        return m.get();
    }

    @Test
    void legacyFlappingLog_matchesHomeChangesConnectsAndLegacyHealth() throws IOException {
        assertThat(matches("logs-01.txt"))
                .containsExactlyEntriesOf(ordered(
                        1, "derp_connected",
                        2, "health_ok",
                        3, "derp_connection_closed",
                        5, "derp_home_changed",
                        6, "derp_home_unreachable",
                        7, "derp_connection_added",
                        10, "derp_connecting",
                        11, "derp_connected",
                        12, "health_ok",
                        13, "derp_connection_closed",
                        15, "derp_home_changed",
                        16, "derp_connection_added",
                        17, "derp_home_unreachable"));
    }

    @Test
    void modernStartupLog_matchesStructuredHealthAndIpnState_notTheRateLimitNotice() throws IOException {
        assertThat(matches("logs-02.txt"))
                .containsExactlyEntriesOf(ordered(
                        2, "derp_home_changed",
                        3, "derp_connection_added",
                        5, "derp_connecting",
                        8, "ipn_state_changed",
                        9, "health_ok",
                        10, "health_ok",
                        12, "health_ok"));
    }

    @Test
    void keyExpiryJournal_matchesLoggedOutSignatures() throws IOException {
        assertThat(matches("logs-05.txt"))
                .containsExactlyEntriesOf(ordered(
                        1, "ipn_state_changed",
                        3, "derp_connection_closed",
                        4, "restun_ignored_stopped",
                        12, "health_error",
                        14, "health_error"));
    }

    @Test
    void everyFixtureLineMatchesAtMostOneSignature() throws IOException {
        for (String f : List.of("logs-01.txt", "logs-02.txt", "logs-05.txt")) {
            for (String raw : Files.readAllLines(StatusFixtures.tailscaleDir().resolve(f))) {
                String message = PARSER.parse(raw).message();
                long rows = LogSignatures.TABLE.stream()
                        .filter(s -> s.pattern().matcher(message).find())
                        .count();
                // the table is ordered so that specific rows win; at most the DERP-home/generic health pair overlap
                assertThat(rows).as(raw).isLessThanOrEqualTo(2);
            }
        }
        assertThat(only("2022/03/28 08:11:51 health(\"overall\"): error: not connected to home DERP region 12")
                        .signature())
                .isEqualTo("derp_home_unreachable");
    }

    @Test
    void homeChange_extractsRegionIdAndCode_andTheLineTime() {
        LogMatch m = only("2022/03/28 08:11:51 magicsock: home is now derp-12 (ord)");
        assertThat(m.attributes())
                .containsExactlyEntriesOf(
                        ordered("tailscale.derp.region.id", 12L, "tailscale.derp.region.code", "ord"));
        assertThat(m.time()).isEqualTo(Instant.parse("2022-03-28T08:11:51Z"));
        assertThat(m.severity()).isEqualTo(LogSeverity.INFO);
        assertThat(m.line()).isEqualTo("2022/03/28 08:11:51 magicsock: home is now derp-12 (ord)");
    }

    @Test
    void connectionClosed_extractsReasonAndAge() {
        LogMatch m = only("2022/03/28 07:42:34 magicsock: closing connection to derp-12 (idle), age 5h1m52s");
        assertThat(m.attributes())
                .containsEntry("tailscale.derp.region.id", 12L)
                .containsEntry("tailscale.derp.connection.close_reason", "idle")
                .containsEntry("tailscale.derp.connection.age", "5h1m52s");
    }

    @Test
    void connectionForAPeer_saysPeer_neverTheKey() {
        LogMatch m = only("magicsock: adding connection to derp-4 for [AbCdE]");
        assertThat(m.attributes()).containsEntry("tailscale.derp.connection.purpose", "peer");
        assertThat(m.attributes().values()).doesNotContain("[AbCdE]");
    }

    @Test
    void restunIgnored_isLoggedOutNotADerpFault() {
        LogMatch m = only(
                "Jun 29 16:13:42 cy-server tailscaled[2036029]: magicsock: ReSTUN(\"link-change-major\") ignored; stopped, no private key");
        assertThat(m.signature()).isEqualTo("restun_ignored_stopped");
        assertThat(m.attributes()).containsEntry("tailscale.magicsock.restun.reason", "link-change-major");
        assertThat(LogSignatures.byId("restun_ignored_stopped").orElseThrow().meaning())
                .contains("not a DERP fault");
    }

    @Test
    void structuredHealthError_carriesWarnableAndText() {
        LogMatch m = only("health(warnable=login-state): error: You are logged out.");
        assertThat(m.signature()).isEqualTo("health_error");
        assertThat(m.attributes())
                .containsEntry("tailscale.health.warnable", "login-state")
                .containsEntry("tailscale.health.warning.text", "You are logged out.");
    }

    @Test
    void modernDerpHomeHealthTexts_areDerpHomeUnreachable() {
        // the 1.70+ warnables' texts (health/warnings.go), written by health's logging as below
        for (String text : List.of(
                "Tailscale could not connect to any relay server. Check your Internet connection.",
                "Tailscale could not connect to the 'Seattle' relay server. Your Internet connection might be down,"
                        + " or the server might be temporarily unavailable.",
                "Tailscale hasn't heard from the 'Seattle' relay server in 1m0s. The server might be temporarily"
                        + " unavailable, or your Internet connection might be down.",
                "Tailscale hasn't heard from the home relay server (region ID '10') in 1m0s.")) {
            LogMatch m = only("health(warnable=no-derp-connection): error: " + text);
            assertThat(m.signature()).as(text).isEqualTo("derp_home_unreachable");
            assertThat(m.severity()).isEqualTo(LogSeverity.ERROR);
        }
        assertThat(only("health(\"overall\"): error: no DERP home").signature()).isEqualTo("derp_home_unreachable");
    }

    @Test
    void recvErrorUnknownPeerNoIpAndSendError_inTailscaledsWords() {
        // formats from magicsock/derp.go and ipnlocal (format strings, not fixture lines)
        assertThat(only("magicsock: [0xc000123456] derp.Recv(derp-12): derp.Recv: EOF")
                        .attributes())
                .containsEntry("tailscale.derp.region.id", 12L)
                .containsEntry("error.message", "derp.Recv: EOF");
        assertThat(only("magicsock: derp-3 does not know about peer [xYz12], removing route")
                        .attributes())
                .containsExactlyEntriesOf(Map.of("tailscale.derp.region.id", 3L));
        assertThat(only("Tailscale issues detected - No IP assigned").signature())
                .isEqualTo("no_ip_assigned");
        assertThat(only("magicsock: last netcheck reported send error. Rebinding.")
                        .signature())
                .isEqualTo("netcheck_send_error");
    }

    @Test
    void netcheckReport_fieldsParsed_addressesDropped() {
        LogMatch m = only("2026/04/16 23:39:40 netcheck: report: udp=true v6=false v6os=true mapvarydest=true"
                + " portmap=UM v4a=203.0.113.7:41641 derp=10 derpdist=10v4:14.2ms,1v4:61ms,2v6:1.5s");
        assertThat(m.signature()).isEqualTo("netcheck_report");
        assertThat(m.attributes())
                .containsEntry("tailscale.netcheck.report.udp", true)
                .containsEntry("tailscale.netcheck.report.ipv4", true)
                .containsEntry("tailscale.netcheck.report.ipv6", false)
                .containsEntry("tailscale.netcheck.report.mapping_varies_by_dest_ip", true)
                .containsEntry("tailscale.netcheck.report.preferred_derp", 10L)
                .containsEntry(
                        "tailscale.netcheck.report.region_latencies",
                        List.of("10/v4=0.0142", "1/v4=0.061", "2/v6=1.5"));
        assertThat(m.attributes().values().toString()).doesNotContain("203.0.113.7");
        assertThat(only("netcheck: report: udp=false v4=false v6=false mapvarydest= derp=0")
                        .attributes())
                .containsEntry("tailscale.netcheck.report.udp", false)
                .containsEntry("tailscale.netcheck.report.ipv4", false)
                .doesNotContainKey("tailscale.netcheck.report.mapping_varies_by_dest_ip");
    }

    @Test
    void ordinaryLines_matchNothing() {
        for (String line : List.of(
                "2022/03/28 07:42:34 magicsock: 1 active derp conns: derp-9=cr15s,wr15s",
                "magicsock: doing cleanup for discovery key d:0123456789abcdef",
                "wgengine: Reconfig: configuring userspace WireGuard config (with 1/3 peers)",
                "UAPI: Up",
                "control: NetInfo: NetInfo{varies=false hairpin=false ipv6=false udp=true derp=#12 portmap= link=\"\"}",
                "[RATELIMIT] format(\"health(warnable=%s): ok\")",
                "")) {
            assertThat(LogSignatures.match(PARSER.parse(line))).as(line).isEmpty();
        }
    }

    @Test
    void everyIdTheIssueListsIsInTheTable_once() {
        List<String> ids = LogSignatures.TABLE.stream().map(LogSignature::id).toList();
        assertThat(ids)
                .containsExactlyInAnyOrder(
                        "derp_home_changed",
                        "derp_connecting",
                        "derp_connected",
                        "derp_connection_added",
                        "derp_connection_closed",
                        "derp_recv_error",
                        "derp_unknown_peer",
                        "derp_home_unreachable",
                        "health_error",
                        "health_ok",
                        "restun_ignored_stopped",
                        "no_ip_assigned",
                        "netcheck_report",
                        "netcheck_send_error",
                        "ipn_state_changed");
        Set<String> seen = new HashSet<>(ids);
        assertThat(seen).hasSameSizeAs(ids);
    }

    @SafeVarargs
    private static <K, V> Map<K, V> ordered(Object... kv) {
        Map<K, V> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            @SuppressWarnings("unchecked")
            K k = (K) kv[i];
            @SuppressWarnings("unchecked")
            V v = (V) kv[i + 1];
            m.put(k, v);
        }
        return m;
    }
}
