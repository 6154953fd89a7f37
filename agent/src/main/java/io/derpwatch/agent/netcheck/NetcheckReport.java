package io.derpwatch.agent.netcheck;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One netcheck report, the counterpart of tailscale's {@code netcheck.Report}.
 *
 * @param latencies             the best latency per region and family (regions that did not answer are absent)
 * @param mappingVariesByDestIp empty when fewer than two IPv4 STUN servers answered
 * @param preferredDerp         the preferred region id, 0 for none
 * @param globalV4              the public IPv4 address:port STUN saw (always recorded; exporting it is a setting)
 * @param captivePortal         empty when the check did not run
 * @param probedRegions         the region ids this report measured (answered or not)
 * @param globalV4Counters      how many accepted IPv4 replies saw each public address:port (tailscale's
 *                              {@code GlobalV4Counters}); likewise {@code globalV6Counters}
 */
public record NetcheckReport(
        Instant now,
        Duration duration,
        boolean udp,
        boolean ipv4,
        boolean ipv6,
        boolean ipv4CanSend,
        boolean ipv6CanSend,
        boolean osHasIpv6,
        Optional<Boolean> mappingVariesByDestIp,
        int preferredDerp,
        List<RegionLatency> latencies,
        Optional<InetSocketAddress> globalV4,
        Optional<InetSocketAddress> globalV6,
        Optional<Boolean> captivePortal,
        List<Integer> probedRegions,
        Map<InetSocketAddress, Integer> globalV4Counters,
        Map<InetSocketAddress, Integer> globalV6Counters) {

    public NetcheckReport {
        latencies = List.copyOf(latencies);
        probedRegions = List.copyOf(probedRegions);
        globalV4Counters = Map.copyOf(globalV4Counters);
        globalV6Counters = Map.copyOf(globalV6Counters);
    }

    /** A report without address counters. */
    public NetcheckReport(
            Instant now,
            Duration duration,
            boolean udp,
            boolean ipv4,
            boolean ipv6,
            boolean ipv4CanSend,
            boolean ipv6CanSend,
            boolean osHasIpv6,
            Optional<Boolean> mappingVariesByDestIp,
            int preferredDerp,
            List<RegionLatency> latencies,
            Optional<InetSocketAddress> globalV4,
            Optional<InetSocketAddress> globalV6,
            Optional<Boolean> captivePortal,
            List<Integer> probedRegions) {
        this(
                now,
                duration,
                udp,
                ipv4,
                ipv6,
                ipv4CanSend,
                ipv6CanSend,
                osHasIpv6,
                mappingVariesByDestIp,
                preferredDerp,
                latencies,
                globalV4,
                globalV6,
                captivePortal,
                probedRegions,
                Map.of(),
                Map.of());
    }

    /** This report with {@code regionId} as its preferred region. */
    public NetcheckReport withPreferredDerp(int regionId) {
        return new NetcheckReport(
                now,
                duration,
                udp,
                ipv4,
                ipv6,
                ipv4CanSend,
                ipv6CanSend,
                osHasIpv6,
                mappingVariesByDestIp,
                regionId,
                latencies,
                globalV4,
                globalV6,
                captivePortal,
                probedRegions,
                globalV4Counters,
                globalV6Counters);
    }

    /** {@code RegionLatency}: the best latency per region over both families. */
    public Map<Integer, Duration> regionLatency() {
        return best(null);
    }

    /** {@code RegionV4Latency}. */
    public Map<Integer, Duration> regionV4Latency() {
        return best(AddressFamily.IPV4);
    }

    /** {@code RegionV6Latency}. */
    public Map<Integer, Duration> regionV6Latency() {
        return best(AddressFamily.IPV6);
    }

    /** True when at least one region answered, over STUN or HTTPS. */
    public boolean anyRegionAnswered() {
        return !latencies.isEmpty();
    }

    private Map<Integer, Duration> best(AddressFamily family) {
        Map<Integer, Duration> out = new TreeMap<>();
        for (RegionLatency l : latencies) {
            if (family == null || l.family() == family) {
                out.merge(l.regionId(), l.latency(), (a, b) -> a.compareTo(b) <= 0 ? a : b);
            }
        }
        return Collections.unmodifiableMap(out);
    }

    @Override
    public String toString() {
        // public addresses are personal data: never in logs
        return "NetcheckReport[now=" + now + ", duration=" + duration + ", udp=" + udp + ", ipv4=" + ipv4
                + ", ipv6=" + ipv6 + ", mappingVariesByDestIp=" + mappingVariesByDestIp + ", preferredDerp="
                + preferredDerp + ", latencies=" + latencies + ", captivePortal=" + captivePortal + "]";
    }
}
