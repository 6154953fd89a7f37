package io.derpwatch.agent.netcheck;

/** IPv4 or IPv6; {@link #networkType()} is the {@code network.type} attribute value. */
public enum AddressFamily {
    IPV4("ipv4"),
    IPV6("ipv6");

    private final String networkType;

    AddressFamily(String networkType) {
        this.networkType = networkType;
    }

    public String networkType() {
        return networkType;
    }
}
