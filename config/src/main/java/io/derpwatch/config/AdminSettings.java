package io.derpwatch.config;

import java.time.Duration;

/**
 * The admin HTTP server: health endpoints for Kubernetes probes.
 *
 * @param maxConnections connections served at once; one more is closed as soon as it is accepted
 * @param idleTimeout    a connection that sends nothing for this long is closed
 */
public record AdminSettings(boolean enabled, String host, int port, int maxConnections, Duration idleTimeout) {
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
                r.duration("idle-timeout", Duration.ofMillis(100)));
    }
}
