package io.derpwatch.config;

import java.time.Duration;

/** Where and how to talk to tailscaled's LocalAPI. */
public record LocalApiSettings(String socket, Duration timeout, long maxBodySize, LocalApiLimits limits) {
    static LocalApiSettings read(SettingsReader r) {
        return new LocalApiSettings(
                r.string("socket"),
                r.duration("timeout"),
                r.bytes("max-body-size", 1024),
                LocalApiLimits.read(r.child("limits")));
    }
}
