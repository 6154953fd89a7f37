package io.derpwatch.agent.netcheck;

import io.derpwatch.agent.derp.DerpNode;
import io.derpwatch.agent.derp.DerpRegion;
import java.time.Duration;
import java.util.List;

/** The STUN probes of one region over one address family in one report; touched only on the event loop. */
final class ProbeSet {
    final DerpRegion region;
    final AddressFamily family;
    final List<DerpNode> nodes;
    boolean answered;
    boolean expired;
    long bestNanos = Long.MAX_VALUE;

    ProbeSet(DerpRegion region, AddressFamily family, List<DerpNode> nodes) {
        this.region = region;
        this.family = family;
        this.nodes = nodes;
    }

    boolean done() {
        return answered || expired;
    }

    RegionLatency latency() {
        return new RegionLatency(region.id(), family, ProbeKind.STUN, Duration.ofNanos(bestNanos));
    }
}
