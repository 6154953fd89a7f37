package io.derpwatch.config;

import java.time.Duration;

/** What happens on SIGTERM. */
public record ShutdownSettings(Duration timeout) {
    static ShutdownSettings read(SettingsReader r) {
        return new ShutdownSettings(r.duration("timeout"));
    }
}
