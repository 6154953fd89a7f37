package io.derpwatch.agent.netcheck;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpRegion;
import io.netty.util.NetUtil;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
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
public final class NetcheckFormats {
    private static final DateTimeFormatter SECONDS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    private NetcheckFormats() {}

    /** The {@code netcheck.Report} JSON; public addresses are {@code ""} unless {@code publicAddresses}. */
    public static String json(NetcheckReport r, boolean publicAddresses) {
        StringBuilder b = new StringBuilder("{\n");
        field(b, "Now", quote(rfc3339Nano(r.now())));
        field(b, "UDP", r.udp());
        field(b, "IPv6", r.ipv6());
        field(b, "IPv4", r.ipv4());
        field(b, "IPv6CanSend", r.ipv6CanSend());
        field(b, "IPv4CanSend", r.ipv4CanSend());
        field(b, "OSHasIPv6", r.osHasIpv6());
        field(b, "ICMPv4", false);
        field(b, "MappingVariesByDestIP", optBool(r.mappingVariesByDestIp()));
        field(b, "UPnP", "null");
        field(b, "PMP", "null");
        field(b, "PCP", "null");
        field(b, "PreferredDERP", r.preferredDerp());
        field(b, "RegionLatency", latencies(r.regionLatency()));
        field(b, "RegionV4Latency", latencies(r.regionV4Latency()));
        field(b, "RegionV6Latency", latencies(r.regionV6Latency()));
        field(b, "GlobalV4Counters", publicAddresses ? counters(r.globalV4Counters()) : "null");
        field(b, "GlobalV6Counters", publicAddresses ? counters(r.globalV6Counters()) : "null");
        field(
                b,
                "GlobalV4",
                quote(
                        publicAddresses
                                ? r.globalV4().map(NetcheckFormats::hostPort).orElse("")
                                : ""));
        field(
                b,
                "GlobalV6",
                quote(
                        publicAddresses
                                ? r.globalV6().map(NetcheckFormats::hostPort).orElse("")
                                : ""));
        b.append("\t\"CaptivePortal\": ").append(optBool(r.captivePortal())).append("\n}");
        return b.toString();
    }

    /** The text layout of {@code tailscale netcheck} (1.78+ with the Time line). */
    public static String text(NetcheckReport r, DerpMap map, boolean publicAddresses, boolean verbose) {
        StringBuilder b = new StringBuilder("\nReport:\n");
        b.append("\t* Time: ").append(rfc3339Nano(r.now())).append('\n');
        b.append("\t* UDP: ").append(r.udp()).append('\n');
        if (r.globalV4().isPresent() && publicAddresses) {
            b.append("\t* IPv4: yes, ").append(hostPort(r.globalV4().get())).append('\n');
        } else if (r.ipv4()) {
            b.append("\t* IPv4: yes (address hidden: netcheck.report-public-addresses = false)\n");
        } else {
            b.append("\t* IPv4: (no addr found)\n");
        }
        if (r.globalV6().isPresent() && publicAddresses) {
            b.append("\t* IPv6: yes, ").append(hostPort(r.globalV6().get())).append('\n');
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
            String shown = d == null ? "" : goDuration(round(d.toNanos(), 100_000));
            b.append(String.format(
                    "\t\t- %3s: %-7s (%s%s)\n",
                    region.code(), shown, verbose ? "derp" + id + ", " : "", region.name()));
        }
        return b.toString();
    }

    /** {@code ip:port}, with IPv6 in brackets and RFC 5952 form (as Go's {@code netip.AddrPort} prints). */
    static String hostPort(InetSocketAddress a) {
        String ip = NetUtil.toAddressString(a.getAddress());
        return (a.getAddress() instanceof Inet6Address ? "[" + ip + "]" : ip) + ":" + a.getPort();
    }

    /** Go's {@code time.RFC3339Nano} in UTC: fraction without trailing zeros. */
    static String rfc3339Nano(Instant t) {
        String s = SECONDS.format(t);
        int nanos = t.getNano();
        if (nanos == 0) {
            return s + "Z";
        }
        String frac = String.format("%09d", nanos).replaceAll("0+$", "");
        return s + "." + frac + "Z";
    }

    /** Go's {@code Duration.Round}: to a multiple of {@code m}, halves away from zero. */
    static long round(long nanos, long m) {
        long r = nanos % m;
        return r + r < m ? nanos - r : nanos + m - r;
    }

    /** Go's {@code time.Duration.String()}: {@code 12.6ms}, {@code 850µs}, {@code 1.2s}, {@code 2m3.5s}. */
    static String goDuration(long nanos) {
        if (nanos == 0) {
            return "0s";
        }
        String sign = nanos < 0 ? "-" : "";
        long u = Math.abs(nanos);
        if (u < 1_000) {
            return sign + u + "ns";
        }
        if (u < 1_000_000) {
            return sign + fraction(u, 1_000) + "µs";
        }
        if (u < 1_000_000_000) {
            return sign + fraction(u, 1_000_000) + "ms";
        }
        long secs = u / 1_000_000_000;
        String s = fraction(u % 60_000_000_000L, 1_000_000_000) + "s";
        long mins = secs / 60;
        if (mins > 0) {
            s = (mins % 60) + "m" + s;
            if (mins >= 60) {
                s = (mins / 60) + "h" + s;
            }
        }
        return sign + s;
    }

    private static String fraction(long value, long unit) {
        long whole = value / unit;
        long rest = value % unit;
        if (rest == 0) {
            return String.valueOf(whole);
        }
        int digits = String.valueOf(unit).length() - 1;
        String frac = String.format("%0" + digits + "d", rest).replaceAll("0+$", "");
        return whole + "." + frac;
    }

    private static void field(StringBuilder b, String name, Object value) {
        b.append("\t\"").append(name).append("\": ").append(value).append(",\n");
    }

    private static String optBool(Optional<Boolean> v) {
        return v.map(String::valueOf).orElse("null");
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Go's encoding of {@code map[netip.AddrPort]int}: {@code null} when empty (a nil map), keys sorted. */
    private static String counters(Map<InetSocketAddress, Integer> m) {
        if (m.isEmpty()) {
            return "null";
        }
        TreeMap<String, Integer> sorted = new TreeMap<>();
        m.forEach((k, v) -> sorted.put(hostPort(k), v));
        StringBuilder b = new StringBuilder("{\n");
        int i = 0;
        for (Map.Entry<String, Integer> e : sorted.entrySet()) {
            b.append("\t\t")
                    .append(quote(e.getKey()))
                    .append(": ")
                    .append(e.getValue())
                    .append(++i < sorted.size() ? ",\n" : "\n");
        }
        return b.append("\t}").toString();
    }

    /** Go's encoding of {@code map[int]time.Duration}: keys as strings, sorted as strings, int64 nanoseconds. */
    private static String latencies(Map<Integer, Duration> m) {
        if (m.isEmpty()) {
            return "{}";
        }
        TreeMap<String, Long> sorted = new TreeMap<>();
        m.forEach((k, v) -> sorted.put(String.valueOf(k), v.toNanos()));
        StringBuilder b = new StringBuilder("{\n");
        int i = 0;
        for (Map.Entry<String, Long> e : sorted.entrySet()) {
            b.append("\t\t\"")
                    .append(e.getKey())
                    .append("\": ")
                    .append(e.getValue())
                    .append(++i < sorted.size() ? ",\n" : "\n");
        }
        return b.append("\t}").toString();
    }
}
