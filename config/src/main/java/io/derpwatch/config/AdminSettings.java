package io.derpwatch.config;

/** The admin HTTP server: health endpoints for Kubernetes probes. */
public record AdminSettings(boolean enabled, String host, int port) {
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
        return new AdminSettings(r.bool("enabled"), r.string("host"), r.integer("port", 0, 65535));
    }
}
