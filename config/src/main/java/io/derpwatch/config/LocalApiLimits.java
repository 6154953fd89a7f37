package io.derpwatch.config;

/**
 * Caps on the work one LocalAPI status or DERP-map document may cause ({@code derpwatch.localapi.limits}). A
 * document over a cap is rejected with an error naming the cap and its key; nothing else about the sample is lost.
 *
 * @param maxJsonDepth       deepest nesting of arrays and objects
 * @param maxStringLength    longest JSON string (value or field name), in characters
 * @param maxHealthEntries   most entries in status {@code Health}
 * @param maxPeers           most entries in status {@code Peer}
 * @param maxRegions         most regions in a DERP map
 * @param maxNodesPerRegion  most nodes in one DERP region
 */
public record LocalApiLimits(
        int maxJsonDepth,
        int maxStringLength,
        int maxHealthEntries,
        int maxPeers,
        int maxRegions,
        int maxNodesPerRegion) {

    /** The full config path of the limits block; a cap's key is this plus {@code .} plus its name. */
    public static final String PATH = "derpwatch.localapi.limits";

    /** The values of {@code reference.conf} (a test keeps the two equal), for code built without a config. */
    public static final LocalApiLimits DEFAULTS = new LocalApiLimits(64, 65_536, 1_000, 1_000, 128, 12);

    /** The full key of one cap, e.g. {@code key("max-peers")}, for error messages. */
    public static String key(String name) {
        return PATH + "." + name;
    }

    static LocalApiLimits read(SettingsReader r) {
        return new LocalApiLimits(
                r.integer("max-json-depth", 1, 10_000),
                r.integer("max-string-length", 1, Integer.MAX_VALUE),
                r.integer("max-health-entries", 0, Integer.MAX_VALUE),
                r.integer("max-peers", 0, Integer.MAX_VALUE),
                r.integer("max-regions", 0, Integer.MAX_VALUE),
                r.integer("max-nodes-per-region", 0, Integer.MAX_VALUE));
    }
}
