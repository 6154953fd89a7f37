package io.derpwatch.agent.localapi;

/** Every LocalAPI path derpwatch reads, in one place (docs/localapi.md). */
public final class LocalApiPaths {
    private LocalApiPaths() {}

    /** The node's status without the peer list. */
    public static final String STATUS = "/localapi/v0/status?peers=false";
    /** The node's status with every peer (the peers source; its body grows with the tailnet). */
    public static final String STATUS_WITH_PEERS = "/localapi/v0/status";
    /** tailscaled's own client metrics, Prometheus text format (absent before 1.78: 404). */
    public static final String USER_METRICS = "/localapi/v0/usermetrics";
    /** The DERP map the node uses. */
    public static final String DERP_MAP = "/localapi/v0/derpmap";
    /** The IPN bus, without its {@code ?mask=} (the mask is per daemon version: {@code ipn.WatchMask}). */
    public static final String WATCH_IPN_BUS = "/localapi/v0/watch-ipn-bus";
    /** tailscaled's own log lines as they are written, one JSON record each (write permission: root/operator). */
    public static final String LOGTAP = "/localapi/v0/logtap";

    /** {@code path} without its query, as on {@code tailscale.localapi.path}. */
    public static String withoutQuery(String path) {
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }
}
