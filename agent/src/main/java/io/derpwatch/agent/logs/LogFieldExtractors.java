package io.derpwatch.agent.logs;

import static io.derpwatch.agent.telemetry.TelemetryNames.HEALTH_WARNABLE;
import static io.derpwatch.agent.telemetry.TelemetryNames.HEALTH_WARNING;
import static io.derpwatch.agent.telemetry.TelemetryNames.NETCHECK_REPORT_IPV4;
import static io.derpwatch.agent.telemetry.TelemetryNames.NETCHECK_REPORT_IPV6;
import static io.derpwatch.agent.telemetry.TelemetryNames.NETCHECK_REPORT_MAPPING_VARIES;
import static io.derpwatch.agent.telemetry.TelemetryNames.NETCHECK_REPORT_PREFERRED_DERP;
import static io.derpwatch.agent.telemetry.TelemetryNames.NETCHECK_REPORT_REGION_LATENCIES;
import static io.derpwatch.agent.telemetry.TelemetryNames.NETCHECK_REPORT_UDP;

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
 * The fields of {@link LogSignatures}' rows that take more than one regex group: a health line's warnable (both
 * eras) and text, and netcheck's concise report with its per-region latencies in Go duration syntax.
 */
final class LogFieldExtractors {
    private LogFieldExtractors() {}

    private static final Pattern DERPDIST_ENTRY = Pattern.compile("^(\\d+)(v4|v6):(\\S+)$");

    static String warnable(Matcher m) {
        String w = m.group("warnable");
        return w != null ? w : m.group("legacy"); // legacy health("overall")
    }

    static Map<String, Object> health(Matcher m) {
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
    static Map<String, Object> netcheck(String fields) {
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
