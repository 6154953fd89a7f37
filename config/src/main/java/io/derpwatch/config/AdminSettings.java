package io.derpwatch.config;

import java.time.Duration;

/**
 * The admin HTTP server: health endpoints for Kubernetes probes, the status page and {@code /api/state}, and
 * (when enabled) the Prometheus endpoint.
 *
 * @param maxConnections    connections served at once; one more is closed as soon as it is accepted
 * @param idleTimeout       a connection that sends nothing for this long is closed
 * @param prometheusEnabled serve {@code /metrics} in the Prometheus text format
 * @param stateHistory      how many netcheck reports and events the status page keeps
 */
public record AdminSettings(
        boolean enabled,
        String host,
        int port,
        int maxConnections,
        Duration idleTimeout,
        boolean prometheusEnabled,
        int stateHistory) {
    /** Health endpoints only, with the default limits: no Prometheus endpoint, the default history. */
    public AdminSettings(boolean enabled, String host, int port) {
        this(enabled, host, port, 64, Duration.ofSeconds(10), false, 30);
    }

    /** {@code derpwatch.admin}, registered in META-INF/services/io.derpwatch.config.SettingsSection. */
    public static final class Section implements SettingsSection<AdminSettings> {
        @Override
        public String key() {
            return "admin";
        }

        @Override
        public AdminSettings read(SettingsReader reader) {
            return AdminSettings.read(reader);
        }
    }

    static AdminSettings read(SettingsReader r) {
        return new AdminSettings(
                r.bool("enabled"),
                r.string("host"),
                r.integer("port", 0, 65535),
                r.integer("max-connections", 1, 100_000),
                r.duration("idle-timeout", Duration.ofMillis(100)),
                r.child("prometheus").bool("enabled"),
                r.integer("state-history", 1, 1000));
    }
}
