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

    /** At most 253 characters of letters, digits, {@code . - _ :} (a DNS name or an IP literal), or empty. */
    private static final java.util.regex.Pattern HOST = java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{0,253}");

    /** An IP literal, {@code none}, or empty. */
    private static final java.util.regex.Pattern ADDRESS = java.util.regex.Pattern.compile("[A-Za-z0-9.:%_-]{0,64}");

    /**
     * Rejects what could never be probed and could escape into a request or a log line: a port outside its range,
     * a host name or address with a character no DNS name or IP literal has (CR, LF, space, slash, ...).
     *
     * @throws IllegalArgumentException saying which value is wrong
     */
    public DerpNode {
        if (stunPort < -1 || stunPort > 65_535) {
            throw new IllegalArgumentException("STUNPort " + stunPort + " out of range (-1 to 65535)");
        }
        if (derpPort < 0 || derpPort > 65_535) {
            throw new IllegalArgumentException("DERPPort " + derpPort + " out of range (0 to 65535)");
        }
        if (!HOST.matcher(hostName).matches()) {
            throw new IllegalArgumentException("HostName " + quoted(hostName) + " is not a DNS name or IP literal");
        }
        if (!ADDRESS.matcher(ipv4).matches()) {
            throw new IllegalArgumentException("IPv4 " + quoted(ipv4) + " is not an address");
        }
        if (!ADDRESS.matcher(ipv6).matches()) {
            throw new IllegalArgumentException("IPv6 " + quoted(ipv6) + " is not an address");
        }
    }

    /** The value in quotes with control characters escaped and at most 64 characters kept, for messages. */
    static String quoted(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.codePoints().limit(64).forEach(c -> {
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.append(s.length() > 64 ? "...\"" : "\"").toString();
    }

    /** The UDP port STUN should use, or -1 when the node serves no STUN. */
    public int effectiveStunPort() {
        return stunPort == 0 ? DEFAULT_STUN_PORT : stunPort;
    }
}
