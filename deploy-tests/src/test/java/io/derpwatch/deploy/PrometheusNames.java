package io.derpwatch.deploy;

import io.derpwatch.agent.telemetry.TelemetryNames;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names derpwatch exports, as a Prometheus-compatible backend stores them after OTLP ingestion. Names
 * come from the one place in code, {@link TelemetryNames}; the kind and unit of each from the metric tables of
 * {@code docs/telemetry.md} (a metric constant missing there is an error, so code and doc stay in step). The
 * translation is Prometheus's (otlptranslator, with suffixes): dots become underscores, the unit becomes a suffix
 * ({@code s} → {@code _seconds}; {@code 1} on a gauge → {@code _ratio}; annotations in braces are dropped) and
 * monotonic counters end in {@code _total}.
 */
final class PrometheusNames {
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z0-9_.]+)`(?:, `([a-z0-9_.]+)`)? \\| ([^|]+) \\|");
    private static final Map<String, String> UNIT_SUFFIXES =
            Map.of("s", "seconds", "ms", "milliseconds", "By", "bytes", "%", "percent", "1", "");

    private PrometheusNames() {}

    /** Metric name in OTLP → its kind and unit ("gauge (int), `1`"), from docs/telemetry.md. */
    static Map<String, String> documentedKinds() {
        Map<String, String> kinds = new LinkedHashMap<>();
        boolean inMetricTable = false;
        for (String line : Repository.read("docs/telemetry.md").lines().toList()) {
            if (line.startsWith("| metric |")) {
                inMetricTable = true;
                continue;
            }
            if (!line.startsWith("|")) {
                inMetricTable = false;
                continue;
            }
            Matcher m = ROW.matcher(line);
            if (inMetricTable && m.find()) {
                kinds.put(m.group(1), m.group(3).trim());
                if (m.group(2) != null) {
                    kinds.put(m.group(2), m.group(3).trim());
                }
            }
        }
        return kinds;
    }

    /** Every OTLP metric name in {@link TelemetryNames} (the String constants the doc lists as metrics). */
    static Set<String> otlpMetricNames() {
        Map<String, String> documented = documentedKinds();
        Set<String> names = new TreeSet<>();
        for (Field f : TelemetryNames.class.getFields()) {
            if (f.getType() != String.class || !Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            String value;
            try {
                value = (String) f.get(null);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
            if (documented.containsKey(value)) {
                names.add(value);
            }
        }
        return names;
    }

    /** The Prometheus names of every exported metric. */
    static Set<String> all() {
        Map<String, String> kinds = documentedKinds();
        Set<String> out = new TreeSet<>();
        for (String name : otlpMetricNames()) {
            out.add(translate(name, kinds.get(name)));
        }
        return out;
    }

    /** {@code kind} as docs/telemetry.md writes it: "gauge (int), `1`", "counter, `{item}`", "up-down counter, ...". */
    static String translate(String otlpName, String kind) {
        Matcher unitMatch = Pattern.compile("`([^`]*)`").matcher(kind);
        String unit = unitMatch.find() ? unitMatch.group(1) : "";
        boolean counter = kind.startsWith("counter");
        boolean gauge = kind.startsWith("gauge") || kind.startsWith("up-down counter");
        StringBuilder name = new StringBuilder(otlpName.replaceAll("[^a-zA-Z0-9_:]", "_"));
        String unitWord = unit.replaceAll("\\{[^}]*}", "");
        if (!unitWord.isEmpty()) {
            String suffix = UNIT_SUFFIXES.getOrDefault(unitWord, unitWord);
            if (!suffix.isEmpty() && !name.toString().endsWith("_" + suffix)) {
                name.append('_').append(suffix);
            }
        }
        if (gauge && unit.equals("1") && !name.toString().endsWith("_ratio")) {
            name.append("_ratio");
        }
        if (counter && !name.toString().endsWith("_total")) {
            name.append("_total");
        }
        return name.toString();
    }

    private static final Pattern METRIC_TOKEN = Pattern.compile("\\b((?:tailscale|derpwatch)_[a-zA-Z0-9_]+)");

    /** The derpwatch/tailscale metric names a PromQL expression uses (label names after {@code by (...)} excluded). */
    static Set<String> referencedIn(String promql) {
        String withoutGrouping = promql.replaceAll(
                        "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", "")
                .replaceAll("\\{[^}]*}", "")
                .replaceAll("\\{\\{[^}]*}}", "");
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC_TOKEN.matcher(withoutGrouping);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
