package io.derpwatch.agent.peers;

import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsException;
import io.derpwatch.config.SettingsReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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

    /** Reads the {@code derpwatch.peers} block; a bad value is an {@link IllegalArgumentException} quoting it. */
    public static PeersSettings read(DerpwatchSettings settings) {
        List<ConfigProblem> problems = new ArrayList<>();
        SettingsReader r = settings.reader("peers", problems);
        SettingsReader um = r.child("usermetrics");
        PeersSettings out = new PeersSettings(
                r.bool("enabled"),
                r.duration("interval"),
                r.bytes("max-body-size", 1024),
                r.bool("per-peer") ? r.integer("per-peer-cap", 0, 10_000) : 0,
                r.duration("path-change-throttle"),
                um.bool("enabled"),
                um.duration("interval"),
                r.duration("timeout"));
        try {
            r.throwIfProblems();
        } catch (SettingsException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return out;
    }
}
