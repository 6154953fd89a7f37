package io.derpwatch.agent.netcheck;

import java.time.Duration;

/** The best latency to one region over one address family, and how it was measured. */
public record RegionLatency(int regionId, AddressFamily family, ProbeKind probe, Duration latency) {}
