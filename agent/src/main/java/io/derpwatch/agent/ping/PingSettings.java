package io.derpwatch.agent.ping;

import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsException;
import io.derpwatch.config.SettingsReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code derpwatch.peers.ping.*} (reference.conf explains each default). */
public record PingSettings(List<String> targets, Duration interval, Duration timeout, String type, int concurrency) {
    public PingSettings {
        targets = List.copyOf(targets);
    }

    /** Reads the block; a bad value is an {@link IllegalArgumentException} quoting it. */
    public static PingSettings read(DerpwatchSettings settings) {
        List<ConfigProblem> problems = new ArrayList<>();
        SettingsReader r = settings.reader("peers", problems).child("ping");
        PingSettings out = new PingSettings(
                r.stringList("targets"),
                r.duration("interval"),
                r.duration("timeout"),
                r.oneOf("type", Set.of("disco", "TSMP")),
                r.integer("concurrency", 1, 64));
        try {
            r.throwIfProblems();
        } catch (SettingsException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return out;
    }
}
