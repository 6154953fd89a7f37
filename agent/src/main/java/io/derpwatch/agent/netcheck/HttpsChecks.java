package io.derpwatch.agent.netcheck;

import io.derpwatch.agent.derp.DerpNode;
import io.derpwatch.agent.derp.DerpRegion;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP half of one report: the HTTPS latency fallback ({@code GET /derp/latency-check} on one node per
 * region, when no STUN reply came at all) and the captive-portal check ({@code GET /generate_204} with tailscale's
 * challenge header on a node that can use port 80). A failed check is logged at debug and measures nothing.
 */
final class HttpsChecks {
    private static final Logger LOG = LoggerFactory.getLogger(HttpsChecks.class);
    static final String LATENCY_CHECK_PATH = "/derp/latency-check";
    static final String CAPTIVE_PORTAL_PATH = "/generate_204";
    static final String CHALLENGE_HEADER = "X-Tailscale-Challenge";
    static final String RESPONSE_HEADER = "X-Tailscale-Response";

    private final ProbeEnvironment env;
    private final ReportAddresses addresses;

    HttpsChecks(ProbeEnvironment env, ReportAddresses addresses) {
        this.env = env;
        this.addresses = addresses;
    }

    /**
     * Measures every region with a DERP (not STUN-only) node over HTTPS; {@code measured} is told each latency on
     * the loop. Completes when every check has ended.
     */
    CompletableFuture<Void> latencies(List<DerpRegion> regions, Consumer<RegionLatency> measured) {
        List<CompletableFuture<Void>> checks = new ArrayList<>();
        for (DerpRegion region : regions) {
            Optional<DerpNode> node =
                    region.nodes().stream().filter(n -> !n.stunOnly()).findFirst();
            if (node.isPresent()) {
                checks.add(latency(region, node.get(), measured));
            }
        }
        return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> latency(DerpRegion region, DerpNode node, Consumer<RegionLatency> measured) {
        AddressFamily family =
                NodeAddressResolver.disabled(node, AddressFamily.IPV4) ? AddressFamily.IPV6 : AddressFamily.IPV4;
        int port = node.derpPort() == 0 ? 443 : node.derpPort();
        return addresses
                .of(node, family)
                .thenCompose(addr -> {
                    if (addr.isEmpty()) {
                        return CompletableFuture.<HttpResult>completedFuture(null);
                    }
                    return env.http()
                            .get(
                                    new InetSocketAddress(addr.get(), port),
                                    ReportAddresses.hostOf(node, addr.get()),
                                    LATENCY_CHECK_PATH,
                                    true,
                                    Map.of(),
                                    env.settings().httpsFallback().timeout(),
                                    64 * 1024);
                })
                .handle((result, e) -> {
                    if (e != null) {
                        LOG.debug("netcheck: HTTPS latency check of region {} failed: {}", region.id(), e.toString());
                    } else if (result != null && result.status() <= 299) {
                        Duration latency = result.latency().isZero() ? Duration.ofNanos(1) : result.latency();
                        RegionLatency l = new RegionLatency(region.id(), family, ProbeKind.HTTPS, latency);
                        env.loop().execute(() -> measured.accept(l));
                    } else if (result != null) {
                        LOG.debug(
                                "netcheck: HTTPS latency check of region {}: status {}", region.id(), result.status());
                    }
                    return null;
                });
    }

    /**
     * Checks for a captive portal through the node {@link #captivePortalNode} picks; {@code found} is told the
     * answer on the loop (true: something other than the DERP server answered). Completes when the check ended.
     */
    CompletableFuture<Void> captivePortal(
            List<DerpRegion> regions, List<RegionLatency> latencies, Consumer<Boolean> found) {
        Optional<DerpNode> node = captivePortalNode(regions, latencies);
        if (node.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        DerpNode n = node.get();
        return addresses
                .of(n, AddressFamily.IPV4)
                .thenCompose(addr -> {
                    if (addr.isEmpty()) {
                        return CompletableFuture.<HttpResult>completedFuture(null);
                    }
                    String host = ReportAddresses.hostOf(n, addr.get());
                    return env.http()
                            .get(
                                    new InetSocketAddress(addr.get(), env.captivePortalPort()),
                                    host,
                                    CAPTIVE_PORTAL_PATH,
                                    false,
                                    Map.of(CHALLENGE_HEADER, "ts_" + host),
                                    env.settings().captivePortal().timeout(),
                                    4096);
                })
                .handle((result, e) -> {
                    if (e != null) {
                        LOG.debug("netcheck: captive-portal check failed: {}", e.toString());
                    } else if (result != null) {
                        String expected = "response ts_" + ReportAddresses.hostOf(n, null);
                        boolean portal = result.status() != 204
                                || !expected.equals(result.headers().get(RESPONSE_HEADER));
                        env.loop().execute(() -> found.accept(portal));
                    }
                    return null;
                });
    }

    /** The fastest answering region's CanPort80 node, else the first measurable region's. */
    static Optional<DerpNode> captivePortalNode(List<DerpRegion> regions, List<RegionLatency> latencies) {
        Map<Integer, Duration> latency = latencies.stream()
                .collect(Collectors.toMap(
                        RegionLatency::regionId, RegionLatency::latency, (a, b) -> a.compareTo(b) <= 0 ? a : b));
        List<DerpRegion> order = new ArrayList<>(regions);
        order.sort(Comparator.comparing((DerpRegion r) -> latency.getOrDefault(r.id(), Duration.ofDays(1))));
        for (DerpRegion r : order) {
            for (DerpNode n : r.nodes()) {
                if (n.canPort80() && !NodeAddressResolver.disabled(n, AddressFamily.IPV4)) {
                    return Optional.of(n);
                }
            }
        }
        return Optional.empty();
    }
}
