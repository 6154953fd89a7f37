package io.derpwatch.agent.insight;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.peers.PeerCounts;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the rules look at, as one immutable value taken from the state store at {@code at}. Each part is
 * empty until its source has sampled once; a rule whose inputs are missing neither starts nor clears.
 *
 * @param home          the home DERP connection as the status source sees it
 * @param netcheck      the latest netcheck
 * @param peers         the latest peer counts
 * @param derpMap       the node's DERP map (custom regions included)
 * @param node          what is known of the node itself
 */
public record InsightInputs(
        Instant at,
        Optional<Home> home,
        Optional<Netcheck> netcheck,
        Optional<PeerCounts> peers,
        Optional<DerpMapView> derpMap,
        Optional<Node> node) {

    /**
     * @param backendState          {@code BackendState} ({@code Running}, {@code NeedsLogin}, {@code Stopped}, ...)
     * @param homeRegion            the home region's code, empty when none
     * @param homeChangesInWindow   how many times the home region changed within the flapping window
     * @param activeCheckDisagrees  the agent's own DERP check disagrees with tailscaled's view of the home
     *                              connection (empty when the active check is not running)
     * @param evidence              what else the home rules report with their insight (the home connection's
     *                              reason, the DERP-home health warning, the active check's failing step),
     *                              by short name
     */
    public record Home(
            String backendState,
            String homeRegion,
            int homeChangesInWindow,
            Optional<Boolean> activeCheckDisagrees,
            Map<String, Object> evidence) {

        public Home {
            evidence = Collections.unmodifiableMap(new LinkedHashMap<>(evidence));
        }

        public Home(
                String backendState,
                String homeRegion,
                int homeChangesInWindow,
                Optional<Boolean> activeCheckDisagrees) {
            this(backendState, homeRegion, homeChangesInWindow, activeCheckDisagrees, Map.of());
        }
    }

    /** @param mappingVariesByDestIp empty when netcheck could not tell (fewer than two STUN answers) */
    public record Netcheck(boolean udp, Optional<Boolean> mappingVariesByDestIp) {}

    /**
     * @param map              the node's DERP map
     * @param defaultRegionIds the ids of tailscale's default map, when known (to tell custom regions apart);
     *                         empty: regions 900-999 and every region of a map that omits the defaults count
     *                         as custom
     */
    public record DerpMapView(DerpMap map, Optional<Set<Integer>> defaultRegionIds) {}

    /**
     * @param udpPort            the UDP port of the node's local endpoints (0 when unknown)
     * @param stoppedNoKey       tailscaled logged {@code ReSTUN(...) ignored; stopped, no private key} since the
     *                           last {@code Running}
     */
    public record Node(int udpPort, boolean stoppedNoKey) {}
}
