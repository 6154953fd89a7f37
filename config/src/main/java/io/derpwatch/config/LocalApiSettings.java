package io.derpwatch.config;

import java.time.Duration;

/** Where and how to talk to tailscaled's LocalAPI. */
public record LocalApiSettings(String socket, Duration timeout, long maxBodySize, LocalApiLimits limits) {
    /** {@code derpwatch.localapi}, registered in META-INF/services/io.derpwatch.config.SettingsSection. */
    public static final class Section implements SettingsSection<LocalApiSettings> {
        @Override
        public String key() {
            return "localapi";
        }

        @Override
        public LocalApiSettings read(SettingsReader reader) {
            return LocalApiSettings.read(reader);
        }
    }

    static LocalApiSettings read(SettingsReader r) {
        return new LocalApiSettings(
                r.string("socket"),
                r.duration("timeout", Duration.ofMillis(100)),
                r.bytes("max-body-size", 1024),
                LocalApiLimits.read(r.child("limits")));
    }
}
