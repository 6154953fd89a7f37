package io.derpwatch.config;

/** The admin HTTP server: health endpoints for Kubernetes probes. */
public record AdminSettings(boolean enabled, String host, int port) {
    static AdminSettings read(SettingsReader r) {
        return new AdminSettings(r.bool("enabled"), r.string("host"), r.integer("port", 0, 65535));
    }
}
