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
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

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

    private static final Pattern DERPDIST_ENTRY = Pattern.compile("^(\\d+)(v4|v6):(\\S+)$");

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
                    LogSignatures::health),
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
                    LogSignatures::health),
            signature(
                    "health_ok",
                    LogSeverity.INFO,
                    HEALTH_SUBJECT + ": ok",
                    "A tailscaled health warning cleared.",
                    List.of(HEALTH_WARNABLE.getKey()),
                    m -> Map.of(HEALTH_WARNABLE.getKey(), warnable(m))),
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
                    m -> netcheck(m.group("fields"))),
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

    private static String warnable(Matcher m) {
        String w = m.group("warnable");
        return w != null ? w : m.group("legacy"); // legacy health("overall")
    }

    private static Map<String, Object> health(Matcher m) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put(HEALTH_WARNABLE.getKey(), warnable(m));
        a.put(HEALTH_WARNING.getKey(), m.group("text"));
        return a;
    }

    /**
     * {@code udp=true v6=false v6os=true mapvarydest=false portmap=? v4a=... derp=1 derpdist=1v4:5ms,2v4:30ms}:
     * netcheck's concise report. {@code v4=} is written only when false; addresses ({@code v4a}, {@code v6a})
     * are personal data and are not kept.
     */
    private static Map<String, Object> netcheck(String fields) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String token : fields.trim().split("\\s+")) {
            int eq = token.indexOf('=');
            if (eq > 0) {
                kv.put(token.substring(0, eq), token.substring(eq + 1));
            }
        }
        Map<String, Object> a = new LinkedHashMap<>();
        putBool(a, NETCHECK_REPORT_UDP.getKey(), kv.get("udp"));
        a.put(NETCHECK_REPORT_IPV4.getKey(), !"false".equals(kv.get("v4")));
        putBool(a, NETCHECK_REPORT_IPV6.getKey(), kv.get("v6"));
        putBool(a, NETCHECK_REPORT_MAPPING_VARIES.getKey(), kv.get("mapvarydest"));
        String derp = kv.get("derp");
        if (derp != null && derp.matches("\\d+")) {
            a.put(NETCHECK_REPORT_PREFERRED_DERP.getKey(), Long.parseLong(derp));
        }
        String dist = kv.get("derpdist");
        if (dist != null) {
            List<String> latencies = new ArrayList<>();
            for (String entry : dist.split(",")) {
                Matcher e = DERPDIST_ENTRY.matcher(entry);
                if (e.matches()) {
                    Optional<BigDecimal> seconds = goDurationSeconds(e.group(3));
                    seconds.ifPresent(s -> latencies.add(e.group(1) + "/" + e.group(2) + "=" + s.toPlainString()));
                }
            }
            a.put(NETCHECK_REPORT_REGION_LATENCIES.getKey(), List.copyOf(latencies));
        }
        return a;
    }

    private static void putBool(Map<String, Object> a, String key, @Nullable String value) {
        if ("true".equals(value) || "false".equals(value)) {
            a.put(key, Boolean.parseBoolean(value));
        }
    }

    private static final Pattern GO_DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(h|ms|us|µs|ns|m|s)");

    /** A Go duration ({@code 5.1ms}, {@code 1m2s}) in seconds; empty when it is not one. */
    static Optional<BigDecimal> goDurationSeconds(String d) {
        Matcher m = GO_DURATION_PART.matcher(d);
        BigDecimal total = BigDecimal.ZERO;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                return Optional.empty();
            }
            end = m.end();
            BigDecimal v = new BigDecimal(m.group(1));
            BigDecimal unit = switch (m.group(2)) {
                case "h" -> BigDecimal.valueOf(3600);
                case "m" -> BigDecimal.valueOf(60);
                case "s" -> BigDecimal.ONE;
                case "ms" -> new BigDecimal("0.001");
                case "us", "µs" -> new BigDecimal("0.000001");
                default -> new BigDecimal("0.000000001");
            };
            total = total.add(v.multiply(unit));
        }
        if (end == 0 || end != d.length()) {
            return Optional.empty();
        }
        return Optional.of(total.stripTrailingZeros());
    }
}
