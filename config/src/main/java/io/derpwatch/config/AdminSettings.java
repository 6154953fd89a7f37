package io.derpwatch.config;

/**
 * The admin HTTP server: health endpoints for Kubernetes probes, the status page and {@code /api/state}, and
 * (when enabled) the Prometheus endpoint.
 *
 * @param prometheusEnabled serve {@code /metrics} in the Prometheus text format
 * @param stateHistory      how many netcheck reports and events the status page keeps
 */
public record AdminSettings(boolean enabled, String host, int port, boolean prometheusEnabled, int stateHistory) {
    /** Health endpoints only: no Prometheus endpoint, the default history. */
    public AdminSettings(boolean enabled, String host, int port) {
        this(enabled, host, port, false, 30);
    }

    static AdminSettings read(SettingsReader r) {
        return new AdminSettings(
                r.bool("enabled"),
                r.string("host"),
                r.integer("port", 0, 65535),
                r.child("prometheus").bool("enabled"),
                r.integer("state-history", 1, 1000));
    }
}
