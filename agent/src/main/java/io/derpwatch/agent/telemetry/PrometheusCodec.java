package io.derpwatch.agent.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.metrics.data.SumData;
import io.opentelemetry.sdk.resources.Resource;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * OpenTelemetry metric data to Prometheus snapshots, with the names Prometheus's own OTLP translation gives
 * ({@code otlptranslator}, underscore escaping with suffixes): every character outside {@code [a-zA-Z0-9_:]}
 * becomes {@code _}; the unit becomes a suffix ({@code s} → {@code _seconds}, {@code 1} on a gauge →
 * {@code _ratio}; curly-brace annotations such as {@code {item}} are dropped); monotonic sums are counters with
 * {@code _total}; other sums are gauges. Every point carries {@code otel_scope_name} and
 * {@code otel_scope_version}; the resource is one {@code target_info} series. The mapping is listed in
 * {@code docs/telemetry.md}.
 */
final class PrometheusCodec {
    private static final Map<String, String> UNITS = Map.ofEntries(
            Map.entry("s", "seconds"),
            Map.entry("ms", "milliseconds"),
            Map.entry("us", "microseconds"),
            Map.entry("ns", "nanoseconds"),
            Map.entry("min", "minutes"),
            Map.entry("h", "hours"),
            Map.entry("d", "days"),
            Map.entry("By", "bytes"),
            Map.entry("KiBy", "kibibytes"),
            Map.entry("MiBy", "mebibytes"),
            Map.entry("%", "percent"));

    private PrometheusCodec() {}

    static MetricSnapshots snapshots(Collection<MetricData> metrics, Resource resource) {
        List<MetricSnapshot> out = new ArrayList<>();
        out.add(targetInfo(resource));
        for (MetricData m : metrics) {
            MetricSnapshot s = snapshot(m);
            if (s != null) {
                out.add(s);
            }
        }
        return new MetricSnapshots(out);
    }

    private static @Nullable MetricSnapshot snapshot(MetricData m) {
        switch (m.getType()) {
            case LONG_GAUGE:
                return gauge(m, m.getLongGaugeData().getPoints(), true);
            case DOUBLE_GAUGE:
                return gauge(m, m.getDoubleGaugeData().getPoints(), true);
            case LONG_SUM:
                return sum(m, m.getLongSumData());
            case DOUBLE_SUM:
                return sum(m, m.getDoubleSumData());
            default:
                return null; // derpwatch records no histograms or summaries
        }
    }

    private static MetricSnapshot sum(MetricData m, SumData<? extends PointData> data) {
        if (!data.isMonotonic()) {
            return gauge(m, data.getPoints(), false);
        }
        String base = name(m.getName(), unitSuffix(m.getUnit(), false));
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(base).help(m.getDescription());
        unit(m.getUnit(), false, b);
        for (PointData p : data.getPoints()) {
            b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                    .value(value(p))
                    .labels(labels(p.getAttributes(), m.getInstrumentationScopeInfo()))
                    .build());
        }
        return b.build();
    }

    private static MetricSnapshot gauge(MetricData m, Collection<? extends PointData> points, boolean gauge) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder()
                .name(name(m.getName(), unitSuffix(m.getUnit(), gauge)))
                .help(m.getDescription());
        unit(m.getUnit(), gauge, b);
        for (PointData p : points) {
            b.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                    .value(value(p))
                    .labels(labels(p.getAttributes(), m.getInstrumentationScopeInfo()))
                    .build());
        }
        return b.build();
    }

    private static void unit(String unit, boolean gauge, MetricSnapshot.Builder<?> b) {
        String suffix = unitSuffix(unit, gauge);
        if (suffix != null) {
            b.unit(new Unit(suffix));
        }
    }

    private static double value(PointData p) {
        if (p instanceof LongPointData l) {
            return l.getValue();
        }
        return ((DoublePointData) p).getValue();
    }

    private static InfoSnapshot targetInfo(Resource resource) {
        return InfoSnapshot.builder()
                .name("target")
                .help("Target metadata")
                .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder()
                        .labels(toLabels(resource.getAttributes(), new TreeMap<>()))
                        .build())
                .build();
    }

    private static Labels labels(Attributes attributes, InstrumentationScopeInfo scope) {
        Map<String, String> extra = new TreeMap<>();
        extra.put("otel_scope_name", scope.getName());
        if (scope.getVersion() != null) {
            extra.put("otel_scope_version", scope.getVersion());
        }
        return toLabels(attributes, extra);
    }

    private static Labels toLabels(Attributes attributes, Map<String, String> labels) {
        attributes.forEach((AttributeKey<?> k, Object v) ->
                labels.merge(labelName(k.getKey()), String.valueOf(v), (a, b) -> a + ";" + b));
        return Labels.of(new ArrayList<>(labels.keySet()), new ArrayList<>(labels.values()));
    }

    /** {@code tailscale.derp.home_connection} + {@code ratio} → {@code tailscale_derp_home_connection_ratio}. */
    static String name(String otelName, @Nullable String unitSuffix) {
        String n = sanitize(otelName, true);
        if (unitSuffix != null && !n.endsWith("_" + unitSuffix)) {
            n = n + "_" + unitSuffix;
        }
        return n;
    }

    /** The unit's suffix: {@code s} → {@code seconds}, {@code 1} → {@code ratio} (gauges only), null for none. */
    static @Nullable String unitSuffix(String unit, boolean gauge) {
        String u = unit.replaceAll("\\{[^}]*}", "").trim();
        if (u.isEmpty()) {
            return null;
        }
        if (u.equals("1")) {
            return gauge ? "ratio" : null;
        }
        String mapped = UNITS.get(u);
        if (mapped != null) {
            return mapped;
        }
        int slash = u.indexOf('/');
        if (slash > 0) {
            String per = u.substring(slash + 1);
            String perName = Map.of("s", "second", "m", "minute", "h", "hour", "d", "day")
                    .getOrDefault(per, per);
            String first = UNITS.getOrDefault(u.substring(0, slash), u.substring(0, slash));
            return sanitize(first + "_per_" + perName, false);
        }
        return sanitize(u.toLowerCase(Locale.ROOT), false);
    }

    static String labelName(String key) {
        String n = sanitize(key, false);
        return Character.isDigit(n.charAt(0)) ? "key_" + n : n;
    }

    private static String sanitize(String s, boolean colons) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '_'
                    || (colons && c == ':');
            b.append(ok ? c : '_');
        }
        String out = b.toString().replaceAll("__+", "_");
        return out.isEmpty() ? "_" : out;
    }
}
