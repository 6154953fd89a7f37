package io.derpwatch.agent.ipn;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * {@code derpwatch.ipn-bus}: whether to watch the bus, the per-record cap and the reconnect backoff.
 *
 * @param backoff    first wait before reconnecting; doubles on each failed attempt up to {@code maxBackoff}
 */
public record IpnBusSettings(boolean enabled, long maxRecordSize, Duration backoff, Duration maxBackoff) {
    public IpnBusSettings {
        if (maxRecordSize <= 0 || backoff.isNegative() || backoff.isZero() || maxBackoff.compareTo(backoff) < 0) {
            throw new IllegalArgumentException("derpwatch.ipn-bus: max-record-size and backoff must be positive,"
                    + " max-backoff at least backoff");
        }
    }

    /** Reads {@code derpwatch.ipn-bus} from the merged configuration (defaults in {@code reference.conf}). */
    public static IpnBusSettings from(Config derpwatch) {
        Config c = derpwatch.getConfig("ipn-bus");
        return new IpnBusSettings(
                c.getBoolean("enabled"),
                c.getBytes("max-record-size"),
                c.getDuration("backoff"),
                c.getDuration("max-backoff"));
    }
}
