package io.derpwatch.agent.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.PrettyPrinter;
import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpRegion;
import io.derpwatch.agent.netcheck.NetcheckReport;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Renders a report the way {@code tailscale netcheck} does: {@code --format=json} (a {@code netcheck.Report}
 * object, Go's {@code json.MarshalIndent} with tabs) and the text layout.
 */
final class NetcheckFormats {

    private static final JsonFactory JSON = new JsonFactory();

    private NetcheckFormats() {}

    /**
     * The {@code netcheck.Report} JSON; public addresses are {@code ""} unless {@code publicAddresses}. Written with
     * jackson-core's generator (every string escaped as JSON requires) in Go's {@code json.MarshalIndent(r, "",
     * "\t")} layout.
     */
    public static String json(NetcheckReport r, boolean publicAddresses) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.setPrettyPrinter(new GoIndent());
            g.writeStartObject();
            g.writeStringField("Now", GoFormats.rfc3339Nano(r.now()));
            g.writeBooleanField("UDP", r.udp());
            g.writeBooleanField("IPv6", r.ipv6());
            g.writeBooleanField("IPv4", r.ipv4());
            g.writeBooleanField("IPv6CanSend", r.ipv6CanSend());
            g.writeBooleanField("IPv4CanSend", r.ipv4CanSend());
            g.writeBooleanField("OSHasIPv6", r.osHasIpv6());
            g.writeBooleanField("ICMPv4", false);
            optBool(g, "MappingVariesByDestIP", r.mappingVariesByDestIp());
            g.writeNullField("UPnP");
            g.writeNullField("PMP");
            g.writeNullField("PCP");
            g.writeNumberField("PreferredDERP", r.preferredDerp());
            latencies(g, "RegionLatency", r.regionLatency());
            latencies(g, "RegionV4Latency", r.regionV4Latency());
            latencies(g, "RegionV6Latency", r.regionV6Latency());
            counters(g, "GlobalV4Counters", publicAddresses ? r.globalV4Counters() : Map.of());
            counters(g, "GlobalV6Counters", publicAddresses ? r.globalV6Counters() : Map.of());
            g.writeStringField(
                    "GlobalV4",
                    publicAddresses ? r.globalV4().map(GoFormats::hostPort).orElse("") : "");
            g.writeStringField(
                    "GlobalV6",
                    publicAddresses ? r.globalV6().map(GoFormats::hostPort).orElse("") : "");
            optBool(g, "CaptivePortal", r.captivePortal());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to a string cannot fail", e);
        }
        return out.toString();
    }

    /** The text layout of {@code tailscale netcheck} (1.78+ with the Time line). */
    public static String text(NetcheckReport r, DerpMap map, boolean publicAddresses, boolean verbose) {
        StringBuilder b = new StringBuilder("\nReport:\n");
        b.append("\t* Time: ").append(GoFormats.rfc3339Nano(r.now())).append('\n');
        b.append("\t* UDP: ").append(r.udp()).append('\n');
        if (r.globalV4().isPresent() && publicAddresses) {
            b.append("\t* IPv4: yes, ")
                    .append(GoFormats.hostPort(r.globalV4().get()))
                    .append('\n');
        } else if (r.ipv4()) {
            b.append("\t* IPv4: yes (address hidden: netcheck.report-public-addresses = false)\n");
        } else {
            b.append("\t* IPv4: (no addr found)\n");
        }
        if (r.globalV6().isPresent() && publicAddresses) {
            b.append("\t* IPv6: yes, ")
                    .append(GoFormats.hostPort(r.globalV6().get()))
                    .append('\n');
        } else if (r.ipv6()) {
            b.append("\t* IPv6: yes (address hidden: netcheck.report-public-addresses = false)\n");
        } else if (r.osHasIpv6()) {
            b.append("\t* IPv6: no, but OS has support\n");
        } else {
            b.append("\t* IPv6: no, unavailable in OS\n");
        }
        b.append("\t* MappingVariesByDestIP: ")
                .append(r.mappingVariesByDestIp().map(String::valueOf).orElse(""))
                .append('\n');
        b.append("\t* PortMapping: \n");
        r.captivePortal()
                .ifPresent(c -> b.append("\t* CaptivePortal: ").append(c).append('\n'));
        DerpRegion preferred = map.regions().get(r.preferredDerp());
        b.append("\t* Nearest DERP: ")
                .append(
                        r.preferredDerp() == 0
                                ? "[none]"
                                : preferred == null ? String.valueOf(r.preferredDerp()) : preferred.name())
                .append('\n');
        b.append("\t* DERP latency:\n");
        Map<Integer, Duration> latency = r.regionLatency();
        List<Integer> ids = new ArrayList<>(map.regions().keySet());
        ids.sort(Comparator.comparing((Integer id) -> !latency.containsKey(id))
                .thenComparing(id -> latency.getOrDefault(id, Duration.ZERO))
                .thenComparing(id -> id));
        for (int id : ids) {
            DerpRegion region = map.regions().get(id);
            Duration d = latency.get(id);
            String shown = d == null ? "" : GoFormats.goDuration(GoFormats.round(d.toNanos(), 100_000));
            b.append(String.format(
                    "\t\t- %3s: %-7s (%s%s)\n",
                    region.code(), shown, verbose ? "derp" + id + ", " : "", region.name()));
        }
        return b.toString();
    }

    private static void optBool(JsonGenerator g, String name, Optional<Boolean> v) throws IOException {
        if (v.isPresent()) {
            g.writeBooleanField(name, v.get());
        } else {
            g.writeNullField(name);
        }
    }

    /** Go's encoding of {@code map[netip.AddrPort]int}: {@code null} when empty (a nil map), keys sorted. */
    private static void counters(JsonGenerator g, String name, Map<InetSocketAddress, Integer> m) throws IOException {
        if (m.isEmpty()) {
            g.writeNullField(name);
            return;
        }
        TreeMap<String, Integer> sorted = new TreeMap<>();
        m.forEach((k, v) -> sorted.put(GoFormats.hostPort(k), v));
        g.writeObjectFieldStart(name);
        for (Map.Entry<String, Integer> e : sorted.entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    /** Go's encoding of {@code map[int]time.Duration}: keys as strings, sorted as strings, int64 nanoseconds. */
    private static void latencies(JsonGenerator g, String name, Map<Integer, Duration> m) throws IOException {
        TreeMap<String, Long> sorted = new TreeMap<>();
        m.forEach((k, v) -> sorted.put(String.valueOf(k), v.toNanos()));
        g.writeObjectFieldStart(name);
        for (Map.Entry<String, Long> e : sorted.entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    /**
     * Go's {@code MarshalIndent} layout with a tab: one entry per line, {@code "key": value}, an empty object or
     * array as {@code {}} / {@code []}. One instance per document (it tracks the depth).
     */
    private static final class GoIndent implements PrettyPrinter {
        private int depth;

        @Override
        public void writeRootValueSeparator(JsonGenerator g) {}

        @Override
        public void writeStartObject(JsonGenerator g) throws IOException {
            g.writeRaw('{');
            depth++;
        }

        @Override
        public void beforeObjectEntries(JsonGenerator g) throws IOException {
            newline(g);
        }

        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(": ");
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
            g.writeRaw(',');
            newline(g);
        }

        @Override
        public void writeEndObject(JsonGenerator g, int entries) throws IOException {
            depth--;
            if (entries > 0) {
                newline(g);
            }
            g.writeRaw('}');
        }

        @Override
        public void writeStartArray(JsonGenerator g) throws IOException {
            g.writeRaw('[');
            depth++;
        }

        @Override
        public void beforeArrayValues(JsonGenerator g) throws IOException {
            newline(g);
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(',');
            newline(g);
        }

        @Override
        public void writeEndArray(JsonGenerator g, int values) throws IOException {
            depth--;
            if (values > 0) {
                newline(g);
            }
            g.writeRaw(']');
        }

        private void newline(JsonGenerator g) throws IOException {
            g.writeRaw('\n');
            for (int i = 0; i < depth; i++) {
                g.writeRaw('\t');
            }
        }
    }
}
