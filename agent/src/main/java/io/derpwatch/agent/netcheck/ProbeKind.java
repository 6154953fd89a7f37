package io.derpwatch.agent.netcheck;

/** How a region's latency was measured; {@link #attribute()} is the {@code tailscale.netcheck.probe} value. */
public enum ProbeKind {
    STUN("stun"),
    HTTPS("https");

    private final String attribute;

    ProbeKind(String attribute) {
        this.attribute = attribute;
    }

    public String attribute() {
        return attribute;
    }
}
