package io.derpwatch.agent.logs;

import static io.derpwatch.agent.telemetry.TelemetryNames.BACKEND_STATE;
import static io.derpwatch.agent.telemetry.TelemetryNames.DERP_CLOSE_REASON;
import static io.derpwatch.agent.telemetry.TelemetryNames.DERP_CONNECTION_AGE;
import static io.derpwatch.agent.telemetry.TelemetryNames.DERP_CONNECTION_PURPOSE;
import static io.derpwatch.agent.telemetry.TelemetryNames.DERP_CONN_GEN;
import static io.derpwatch.agent.telemetry.TelemetryNames.ERROR_MESSAGE;
import static io.derpwatch.agent.telemetry.TelemetryNames.HEALTH_WARNABLE;
import static io.derpwatch.agent.telemetry.TelemetryNames.HEALTH_WARNING;
import static io.derpwatch.agent.telemetry.TelemetryNames.NETCHECK_REPORT_IPV4;
import static io.derpwatch.agent.telemetry.TelemetryNames.NETCHECK_REPORT_IPV6;
import static io.derpwatch.agent.telemetry.TelemetryNames.NETCHECK_REPORT_MAPPING_VARIES;
import static io.derpwatch.agent.telemetry.TelemetryNames.NETCHECK_REPORT_PREFERRED_DERP;
import static io.derpwatch.agent.telemetry.TelemetryNames.NETCHECK_REPORT_REGION_LATENCIES;
import static io.derpwatch.agent.telemetry.TelemetryNames.NETCHECK_REPORT_UDP;
import static io.derpwatch.agent.telemetry.TelemetryNames.PREVIOUS_BACKEND_STATE;
import static io.derpwatch.agent.telemetry.TelemetryNames.REGION_CODE;
import static io.derpwatch.agent.telemetry.TelemetryNames.REGION_ID;
import static io.derpwatch.agent.telemetry.TelemetryNames.RESTUN_REASON;

import io.opentelemetry.api.common.AttributeKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one table of tailscaled log signatures, used by the agent's log source and by {@code derpwatch logs}.
 * Each line gets at most one signature: the first row whose pattern it contains, so the more specific rows
 * ({@code derp_home_unreachable}, {@code no_ip_assigned}) come before the general ones ({@code health_error}).
 * The patterns are tailscaled's own log formats (magicsock, derphttp, health, ipnlocal, netcheck), checked
 * against the real lines in {@code testdata/tailscale/logs-*.txt}.
 */
public final class LogSignatures {
    private LogSignatures() {}

    private static final String REGION = "derp-(?<region>\\d+)";
    private static final String HEALTH_SUBJECT =
            "health\\((?:warnable=(?<warnable>[a-z0-9-]+)|\"(?<legacy>[^\"]*)\")\\)";

    /**
     * DERP-home warning texts, both eras (as in {@code home.HomeConnectionRule}): the 1.70+ warnables'
     * texts and the legacy overall-health errors.
     */
    private static final String DERP_HOME_TEXT = "(?:Tailscale could not connect to any relay server"
            + "|Tailscale could not connect to the '[^']*' relay server"
            + "|Tailscale could not connect to the relay server with ID"
            + "|Tailscale hasn't heard from the '[^']*' relay server"
            + "|Tailscale hasn't heard from the home relay server"
            + "|not connected to home DERP region"
            + "|no DERP home"
            + "|haven't heard from home DERP region)";

    /** Every signature, in matching order. */
    public static final List<LogSignature> TABLE = List.of(
            signature(
                    "derp_home_changed",
                    LogSeverity.INFO,
                    "magicsock: home is now " + REGION + " \\((?<code>[^)]*)\\)",
                    "magicsock picked a new home DERP region (after netcheck found a better one, or at start).",
                    region(),
                    text("code", REGION_CODE)),
            signature(
                    "derp_connecting",
                    LogSeverity.INFO,
                    "derphttp\\.Client\\.(?:Recv|Send|Connect): connecting to " + REGION + " \\((?<code>[^)]*)\\)",
                    "tailscaled is (re)connecting to a DERP server; many in a row mean the connection keeps dropping.",
                    region(),
                    text("code", REGION_CODE)),
            signature(
                    "derp_connected",
                    LogSeverity.INFO,
                    "magicsock: " + REGION + " connected; connGen=(?<gen>\\d+)",
                    "A DERP connection is up.",
                    region(),
                    number("gen", DERP_CONN_GEN)),
            signature(
                    "derp_connection_added",
                    LogSeverity.INFO,
                    "magicsock: adding connection to " + REGION + " for (?<purpose>\\S+)",
                    "magicsock opened a DERP connection, to keep the home region alive or to reach a peer homed there.",
                    List.of(REGION_ID.getKey(), DERP_CONNECTION_PURPOSE.getKey()),
                    m -> {
                        Map<String, Object> a = new LinkedHashMap<>();
                        a.put(REGION_ID.getKey(), Long.parseLong(m.group("region")));
                        // the other form names a peer by its key: say "peer", never the key
                        a.put(
                                DERP_CONNECTION_PURPOSE.getKey(),
                                m.group("purpose").equals("home-keep-alive") ? "home-keep-alive" : "peer");
                        return a;
                    }),
            signature(
                    "derp_connection_closed",
                    LogSeverity.INFO,
                    "magicsock: closing connection to " + REGION + " \\((?<reason>[^)]*)\\), age (?<age>\\S+)",
                    "magicsock closed a DERP connection; 'idle' is normal for non-home regions.",
                    region(),
                    text("reason", DERP_CLOSE_REASON),
                    text("age", DERP_CONNECTION_AGE)),
            signature(
                    "derp_recv_error",
                    LogSeverity.WARN,
                    "derp\\.Recv\\(" + REGION + "\\): (?<error>.+)",
                    "Reading from a DERP server failed; the connection is redialled. Repeats mean an unstable path"
                            + " to that region.",
                    region(),
                    text("error", ERROR_MESSAGE)),
            signature(
                    "derp_unknown_peer",
                    LogSeverity.INFO,
                    "magicsock: " + REGION + " does not know about peer \\S+, removing route",
                    "The DERP server no longer has the peer connected (it moved region or went offline).",
                    region()),
            signature(
                    "derp_home_unreachable",
                    LogSeverity.ERROR,
                    HEALTH_SUBJECT + ": error: (?<text>" + DERP_HOME_TEXT + ".*)",
                    "tailscaled's health says it cannot reach its home DERP region: check outbound HTTPS (443) and"
                            + " STUN (3478/udp) to the DERP servers.",
                    List.of(HEALTH_WARNABLE.getKey(), HEALTH_WARNING.getKey()),
                    LogFieldExtractors::health),
            signature(
                    "no_ip_assigned",
                    LogSeverity.ERROR,
                    "No IP assigned",
                    "The node has no Tailscale address (not logged in, or the control plane gave it none): run"
                            + " 'tailscale up' / check the admin console.",
                    List.of(),
                    m -> Map.of()),
            signature(
                    "health_error",
                    LogSeverity.WARN,
                    HEALTH_SUBJECT + ": error: (?<text>.*)",
                    "tailscaled's health reports a problem (see the text).",
                    List.of(HEALTH_WARNABLE.getKey(), HEALTH_WARNING.getKey()),
                    LogFieldExtractors::health),
            signature(
                    "health_ok",
                    LogSeverity.INFO,
                    HEALTH_SUBJECT + ": ok",
                    "A tailscaled health warning cleared.",
                    List.of(HEALTH_WARNABLE.getKey()),
                    m -> Map.of(HEALTH_WARNABLE.getKey(), LogFieldExtractors.warnable(m))),
            signature(
                    "restun_ignored_stopped",
                    LogSeverity.WARN,
                    "magicsock: ReSTUN\\(\"(?<why>[^\"]*)\"\\) ignored; stopped, no private key",
                    "magicsock is stopped with no private key: the node is stopped, logged out or its key expired."
                            + " This is not a DERP fault; log in again ('tailscale up').",
                    text("why", RESTUN_REASON)),
            signature(
                    "netcheck_report",
                    LogSeverity.INFO,
                    "netcheck: report: (?<fields>udp=.*)",
                    "tailscaled's own netcheck: UDP, IPv4/IPv6, whether the NAT maps by destination, the preferred"
                            + " DERP region and per-region latencies.",
                    List.of(
                            NETCHECK_REPORT_UDP.getKey(),
                            NETCHECK_REPORT_IPV4.getKey(),
                            NETCHECK_REPORT_IPV6.getKey(),
                            NETCHECK_REPORT_MAPPING_VARIES.getKey(),
                            NETCHECK_REPORT_PREFERRED_DERP.getKey(),
                            NETCHECK_REPORT_REGION_LATENCIES.getKey()),
                    m -> LogFieldExtractors.netcheck(m.group("fields"))),
            signature(
                    "netcheck_send_error",
                    LogSeverity.WARN,
                    "magicsock: last netcheck reported send error\\. Rebinding\\.",
                    "magicsock could not send netcheck packets and rebinds its sockets: the local network changed"
                            + " or UDP is blocked.",
                    List.of(),
                    m -> Map.of()),
            signature(
                    "ipn_state_changed",
                    LogSeverity.INFO,
                    "Switching ipn state (?<from>\\w+) -> (?<to>\\w+)",
                    "tailscaled's backend state changed (Running, Starting, NeedsLogin, Stopped, ...).",
                    text("from", PREVIOUS_BACKEND_STATE),
                    text("to", BACKEND_STATE)));

    /** The signature this message matches (the first row that does), with its attributes. */
    public static Optional<LogMatch> match(LogLine line) {
        for (LogSignature s : TABLE) {
            Matcher m = s.pattern().matcher(line.message());
            if (m.find()) {
                return Optional.of(new LogMatch(
                        line.time(), s.id(), s.severity(), s.extractor().extract(m), line.raw()));
            }
        }
        return Optional.empty();
    }

    public static Optional<LogSignature> byId(String id) {
        return TABLE.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    /** One group of a match read as an attribute. */
    private record Field(String group, String attribute, boolean numeric) {}

    private static Field region() {
        return new Field("region", REGION_ID.getKey(), true);
    }

    private static Field text(String group, AttributeKey<?> attribute) {
        return new Field(group, attribute.getKey(), false);
    }

    private static Field number(String group, AttributeKey<?> attribute) {
        return new Field(group, attribute.getKey(), true);
    }

    private static LogSignature signature(
            String id, LogSeverity severity, String pattern, String meaning, Field... fields) {
        List<String> names = new ArrayList<>();
        for (Field f : fields) {
            names.add(f.attribute());
        }
        return signature(id, severity, pattern, meaning, names, m -> {
            Map<String, Object> a = new LinkedHashMap<>();
            for (Field f : fields) {
                String v = m.group(f.group());
                if (v != null) {
                    a.put(f.attribute(), f.numeric() ? (Object) Long.parseLong(v) : v);
                }
            }
            return a;
        });
    }

    private static LogSignature signature(
            String id,
            LogSeverity severity,
            String pattern,
            String meaning,
            List<String> attributes,
            LogSignature.Extractor extractor) {
        return new LogSignature(id, severity, Pattern.compile(pattern), attributes, extractor, meaning);
    }
}
