package io.derpwatch.agent.insight;

import io.derpwatch.agent.derp.DerpRegion;
import io.derpwatch.agent.insight.InsightInputs.DerpMapView;
import io.derpwatch.agent.insight.InsightRule.Verdict;
import io.derpwatch.agent.peers.PeerCounts;
import io.derpwatch.agent.peers.PeerPath;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** The built-in rules, each with a message that says what to do. */
public final class InsightRules {
    private InsightRules() {}

    /** tailscaled's conventional fixed WireGuard port ({@code tailscaled --port 41641}). */
    public static final int DEFAULT_TAILSCALED_PORT = 41641;

    public static final String FORCED_DERP = "forced_derp";
    public static final String UDP_BLOCKED = "udp_blocked";
    public static final String HARD_NAT = "hard_nat";
    public static final String NO_HOME_DERP = "no_home_derp";
    public static final String HOME_DERP_FLAPPING = "home_derp_flapping";
    public static final String HOME_DERP_DISAGREEMENT = "home_derp_disagreement";
    public static final String LOGGED_OUT = "logged_out";
    public static final String OMIT_DEFAULT_REGIONS_SINGLE = "omit_default_regions_single_region";
    public static final String CUSTOM_REGION_ID_RANGE = "custom_region_id_outside_900_999";
    public static final String RANDOM_UDP_PORT = "random_udp_port";
    public static final String PEER_RELAY_SUGGESTION = "peer_relay_suggestion";

    public static List<InsightRule> all(InsightSettings s) {
        return List.of(
                new InsightRule(FORCED_DERP, InsightSeverity.WARNING, s.forcedDerpFor(), in -> forcedDerp(in, s)),
                new InsightRule(UDP_BLOCKED, InsightSeverity.WARNING, Duration.ZERO, InsightRules::udpBlocked),
                new InsightRule(HARD_NAT, InsightSeverity.INFO, Duration.ZERO, InsightRules::hardNat),
                new InsightRule(NO_HOME_DERP, InsightSeverity.CRITICAL, Duration.ZERO, InsightRules::noHomeDerp),
                new InsightRule(HOME_DERP_FLAPPING, InsightSeverity.WARNING, Duration.ZERO, in -> flapping(in, s)),
                new InsightRule(
                        HOME_DERP_DISAGREEMENT,
                        InsightSeverity.WARNING,
                        s.disagreementFor(),
                        InsightRules::disagreement),
                new InsightRule(LOGGED_OUT, InsightSeverity.CRITICAL, Duration.ZERO, InsightRules::loggedOut),
                new InsightRule(
                        OMIT_DEFAULT_REGIONS_SINGLE, InsightSeverity.INFO, Duration.ZERO, InsightRules::omitDefaults),
                new InsightRule(
                        CUSTOM_REGION_ID_RANGE, InsightSeverity.INFO, Duration.ZERO, InsightRules::customRegionIds),
                new InsightRule(
                        RANDOM_UDP_PORT, InsightSeverity.INFO, s.randomPortAfter(), InsightRules::randomUdpPort),
                new InsightRule(
                        PEER_RELAY_SUGGESTION,
                        InsightSeverity.INFO,
                        s.peerRelayAfter(),
                        in -> forcedDerp(in, s)
                                .map(v -> v.holds()
                                        ? Verdict.yes(
                                                "Most active peers have been relayed for a long time. If direct"
                                                        + " paths cannot be opened (strict NAT or firewall), run a"
                                                        + " Tailscale Peer Relay (1.86+) on a node both sides can"
                                                        + " reach directly, or a DERP server near this node.",
                                                v.evidence())
                                        : v)));
    }

    private static Optional<Verdict> forcedDerp(InsightInputs in, InsightSettings s) {
        if (in.peers().isEmpty()) {
            return Optional.empty();
        }
        PeerCounts p = in.peers().get();
        boolean holds = p.active() >= s.forcedDerpMinPeers() && p.relayedShare() >= s.forcedDerpShare();
        if (!holds) {
            return Optional.of(Verdict.no());
        }
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("peers.direct", (long) p.count(PeerPath.DIRECT));
        e.put("peers.derp", (long) p.count(PeerPath.DERP));
        e.put("peers.peer_relay", (long) p.count(PeerPath.PEER_RELAY));
        e.put("peers.active", (long) p.active());
        e.put("relayed_share", p.relayedShare());
        in.netcheck().ifPresent(n -> {
            e.put("netcheck.udp", n.udp());
            e.put("nat", n.mappingVariesByDestIp().map(v -> v ? "hard" : "easy").orElse("unknown"));
        });
        return Optional.of(Verdict.yes(
                String.format(
                        "%.0f%% of active peers go through a relay instead of directly: NAT traversal or a firewall"
                                + " blocks direct UDP, which adds latency and relay load. Allow outbound UDP (and"
                                + " inbound to tailscaled's port) on this node's firewall or security group.",
                        p.relayedShare() * 100),
                e));
    }

    private static Optional<Verdict> udpBlocked(InsightInputs in) {
        return in.netcheck()
                .map(n -> n.udp()
                        ? Verdict.no()
                        : Verdict.yes(
                                "netcheck got no STUN answer over UDP: UDP is blocked, so every path goes through DERP over"
                                        + " HTTPS. Allow outbound UDP (3478 for STUN, 41641 or any high port for"
                                        + " WireGuard) in the NAT gateway, cloud security list / security group or firewall.",
                                Map.of("netcheck.udp", false)));
    }

    private static Optional<Verdict> hardNat(InsightInputs in) {
        return in.netcheck()
                .flatMap(n -> n.mappingVariesByDestIp())
                .map(varies -> varies
                        ? Verdict.yes(
                                "The NAT maps this node to a different public port per destination (hard NAT), so direct"
                                        + " paths to peers behind NAT rarely form. Enable UPnP/NAT-PMP/PCP on the router, give"
                                        + " the node a public address, or use a fixed --port with a port forward.",
                                Map.of("netcheck.mapping_varies_by_dest_ip", true))
                        : Verdict.no());
    }

    private static Optional<Verdict> noHomeDerp(InsightInputs in) {
        return in.home()
                .map(h -> h.backendState().equals("Running") && h.homeRegion().isEmpty()
                        ? Verdict.yes(
                                "tailscaled is running but has no home DERP region: it reaches no relay. Check outbound"
                                        + " HTTPS (443) to the DERP servers and the DERP map (derpwatch derpmap).",
                                with(h, Map.of("backend_state", h.backendState())))
                        : Verdict.no());
    }

    private static Optional<Verdict> flapping(InsightInputs in, InsightSettings s) {
        return in.home()
                .map(h -> h.homeChangesInWindow() >= s.flappingChanges()
                        ? Verdict.yes(
                                "The home DERP region keeps changing: two regions measure nearly the same latency, or the"
                                        + " path to them is unstable. Peers reach this node through a different relay after"
                                        + " each change; pin regions with the DERP map's RegionScore or fix the unstable link.",
                                with(
                                        h,
                                        Map.of(
                                                "home_changes",
                                                (long) h.homeChangesInWindow(),
                                                "home_region",
                                                h.homeRegion())))
                        : Verdict.no());
    }

    private static Optional<Verdict> disagreement(InsightInputs in) {
        if (in.home().isEmpty()) {
            return Optional.empty();
        }
        InsightInputs.Home h = in.home().get();
        return h.activeCheckDisagrees()
                .map(d -> d
                        ? Verdict.yes(
                                "derpwatch's own check of the home DERP server disagrees with tailscaled's view: one of the"
                                        + " two is stale. Compare 'derpwatch status' with 'tailscale netcheck' and check the"
                                        + " DERP server's health.",
                                with(h, Map.of("home_region", h.homeRegion())))
                        : Verdict.no());
    }

    /** {@code base} and then the home's own evidence. */
    private static Map<String, Object> with(InsightInputs.Home h, Map<String, Object> base) {
        Map<String, Object> e = new LinkedHashMap<>(base);
        h.evidence().forEach(e::putIfAbsent);
        return e;
    }

    private static Optional<Verdict> loggedOut(InsightInputs in) {
        if (in.home().isEmpty() && in.node().isEmpty()) {
            return Optional.empty();
        }
        String state = in.home().map(InsightInputs.Home::backendState).orElse("");
        boolean stoppedNoKey = in.node().map(InsightInputs.Node::stoppedNoKey).orElse(false);
        boolean out =
                state.equals("NeedsLogin") || state.equals("Stopped") || (stoppedNoKey && !state.equals("Running"));
        if (!out) {
            return Optional.of(Verdict.no());
        }
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("backend_state", state);
        e.put("restun_ignored_stopped", stoppedNoKey);
        return Optional.of(Verdict.yes(
                "tailscaled is stopped or logged out (or its node key expired): this is not a DERP fault. Log in"
                        + " again ('tailscale up'), and disable key expiry for servers in the admin console.",
                e));
    }

    private static Optional<Verdict> omitDefaults(InsightInputs in) {
        return in.derpMap().map(v -> {
            if (!v.map().omitDefaultRegions()) {
                return Verdict.no();
            }
            int custom = custom(v).size();
            return custom < 2
                    ? Verdict.yes(
                            "The DERP map sets OmitDefaultRegions = true with " + custom + " custom region(s): one"
                                    + " relay is a single point of failure. Set OmitDefaultRegions to false or run"
                                    + " at least two custom regions.",
                            Map.of("custom_regions", (long) custom))
                    : Verdict.no();
        });
    }

    private static Optional<Verdict> customRegionIds(InsightInputs in) {
        return in.derpMap().map(v -> {
            List<Integer> outside = custom(v).stream()
                    .map(DerpRegion::id)
                    .filter(id -> id < 900 || id > 999)
                    .toList();
            return outside.isEmpty()
                    ? Verdict.no()
                    : Verdict.yes(
                            "Custom DERP region(s) " + outside + " use a RegionID outside 900-999, the range"
                                    + " reserved for custom regions: they collide with tailscale's own regions."
                                    + " Renumber them into 900-999.",
                            Map.of(
                                    "region_ids",
                                    outside.stream().map(String::valueOf).collect(Collectors.joining(","))));
        });
    }

    private static List<DerpRegion> custom(DerpMapView v) {
        Optional<Set<Integer>> defaults = v.defaultRegionIds();
        return v.map().regions().values().stream()
                .filter(r -> defaults.map(d -> !d.contains(r.id()))
                        .orElse(v.map().omitDefaultRegions() || (r.id() >= 900 && r.id() <= 999)))
                .toList();
    }

    private static Optional<Verdict> randomUdpPort(InsightInputs in) {
        if (in.peers().isEmpty() || in.node().isEmpty() || in.node().get().udpPort() == 0) {
            return Optional.empty();
        }
        PeerCounts p = in.peers().get();
        int port = in.node().get().udpPort();
        boolean noDirect = p.active() > 0 && p.count(PeerPath.DIRECT) == 0;
        return Optional.of(
                noDirect && port != DEFAULT_TAILSCALED_PORT
                        ? Verdict.yes(
                                "No direct path forms and tailscaled listens on UDP port " + port + ", not a fixed"
                                        + " one: firewalls and cloud security lists cannot allow a random port. Start"
                                        + " tailscaled with a fixed port (--port " + DEFAULT_TAILSCALED_PORT
                                        + ") and allow it inbound.",
                                Map.of("udp_port", (long) port, "peers.active", (long) p.active()))
                        : Verdict.no());
    }
}
