package io.derpwatch.agent.ipn;

import io.derpwatch.config.SettingsReader;
import io.derpwatch.config.SettingsSection;
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

    /** {@code derpwatch.ipn-bus}, registered in META-INF/services/io.derpwatch.config.SettingsSection. */
    public static final class Section implements SettingsSection<IpnBusSettings> {
        @Override
        public String key() {
            return "ipn-bus";
        }

        @Override
        public IpnBusSettings read(SettingsReader r) {
            boolean enabled = r.bool("enabled");
            long maxRecordSize = r.bytes("max-record-size", 1024);
            Duration backoff = r.duration("backoff", Duration.ofMillis(10));
            Duration maxBackoff = r.duration("max-backoff", Duration.ofMillis(10));
            if (!backoff.isZero() && !maxBackoff.isZero() && maxBackoff.compareTo(backoff) < 0) {
                r.problem("max-backoff", "shorter than backoff (expected at least backoff)");
            }
            if (!r.problems().isEmpty()) {
                return new IpnBusSettings(enabled, 1024, Duration.ofSeconds(1), Duration.ofSeconds(1));
            }
            return new IpnBusSettings(enabled, maxRecordSize, backoff, maxBackoff);
        }
    }
}
