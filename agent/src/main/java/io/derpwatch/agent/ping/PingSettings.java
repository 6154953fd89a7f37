package io.derpwatch.agent.ping;

import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsReader;
import io.derpwatch.config.SettingsSection;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** {@code derpwatch.peers.ping.*} (reference.conf explains each default). */
public record PingSettings(List<String> targets, Duration interval, Duration timeout, String type, int concurrency) {
    public PingSettings {
        targets = List.copyOf(targets);
    }

    /** {@code derpwatch.peers.ping}, read and checked when the configuration loads; a bad value quotes its line. */
    public static PingSettings read(DerpwatchSettings settings) {
        return settings.section(Section.class);
    }

    /** Listed in META-INF/services/io.derpwatch.config.SettingsSection. */
    public static final class Section implements SettingsSection<PingSettings> {
        @Override
        public String key() {
            return "peers.ping";
        }

        @Override
        public PingSettings read(SettingsReader r) {
            return new PingSettings(
                    r.stringList("targets"),
                    r.duration("interval"),
                    r.duration("timeout"),
                    r.oneOf("type", Set.of("disco", "TSMP")),
                    r.integer("concurrency", 1, 64));
        }
    }
}
