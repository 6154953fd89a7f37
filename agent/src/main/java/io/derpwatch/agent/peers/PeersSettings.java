package io.derpwatch.agent.peers;

import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsReader;
import io.derpwatch.config.SettingsSection;
import java.time.Duration;

/**
 * {@code derpwatch.peers.*} (reference.conf explains each default).
 *
 * @param maxBodySize        {@code max-body-size}: the body cap of the status with peers, apart from
 *                           {@code localapi.max-body-size}
 * @param perPeerCap         {@code per-peer-cap}: 0 when {@code per-peer} is off
 * @param usermetrics        {@code usermetrics.enabled}
 * @param timeout            {@code timeout}: bounds one status-with-peers exchange, apart from
 *                           {@code localapi.timeout} (a large tailnet's document takes longer to read)
 */
public record PeersSettings(
        boolean enabled,
        Duration interval,
        long maxBodySize,
        int perPeerCap,
        Duration pathChangeThrottle,
        boolean usermetrics,
        Duration usermetricsInterval,
        Duration timeout) {

    /** {@code derpwatch.peers}, read and checked when the configuration loads; a bad value quotes its line. */
    public static PeersSettings read(DerpwatchSettings settings) {
        return settings.section(Section.class);
    }

    /** Listed in META-INF/services/io.derpwatch.config.SettingsSection. */
    public static final class Section implements SettingsSection<PeersSettings> {
        @Override
        public String key() {
            return "peers";
        }

        @Override
        public PeersSettings read(SettingsReader r) {
            SettingsReader um = r.child("usermetrics");
            return new PeersSettings(
                    r.bool("enabled"),
                    r.duration("interval"),
                    r.bytes("max-body-size", 1024),
                    r.bool("per-peer") ? r.integer("per-peer-cap", 0, 10_000) : 0,
                    r.duration("path-change-throttle"),
                    um.bool("enabled"),
                    um.duration("interval"),
                    r.duration("timeout"));
        }
    }
}
