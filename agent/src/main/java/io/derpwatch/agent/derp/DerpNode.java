package io.derpwatch.agent.derp;

/**
 * One DERP server ({@code tailcfg.DERPNode}). Empty {@code ipv4}/{@code ipv6} mean "resolve {@link #hostName()}";
 * a value that is not an IP address (such as {@code "none"}) disables that family.
 *
 * @param stunPort 0 means the default 3478; -1 means the node does not serve STUN
 */
public record DerpNode(
        String name,
        int regionId,
        String hostName,
        String ipv4,
        String ipv6,
        int stunPort,
        boolean stunOnly,
        int derpPort,
        boolean canPort80) {

    public static final int DEFAULT_STUN_PORT = 3478;

    /** The UDP port STUN should use, or -1 when the node serves no STUN. */
    public int effectiveStunPort() {
        return stunPort == 0 ? DEFAULT_STUN_PORT : stunPort;
    }
}
