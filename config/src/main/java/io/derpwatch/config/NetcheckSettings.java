package io.derpwatch.config;

import java.time.Duration;

/** The netcheck source: STUN measurement of every DERP region. */
public record NetcheckSettings(boolean enabled, Duration interval) {
    static NetcheckSettings read(SettingsReader r) {
        return new NetcheckSettings(r.bool("enabled"), r.duration("interval"));
    }
}
