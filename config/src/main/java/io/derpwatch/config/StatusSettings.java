package io.derpwatch.config;

import java.time.Duration;

/** How often tailscaled's status and DERP map are read. */
public record StatusSettings(Duration interval, Duration derpMapInterval) {
    static StatusSettings read(SettingsReader r) {
        return new StatusSettings(r.duration("interval"), r.duration("derp-map-interval"));
    }
}
