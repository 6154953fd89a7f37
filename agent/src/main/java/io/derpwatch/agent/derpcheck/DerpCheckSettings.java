package io.derpwatch.agent.derpcheck;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.derpwatch.config.SettingsReader;
import io.derpwatch.config.SettingsSection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code derpwatch.derp-check}: the active check of the home DERP (defaults and their meaning in reference.conf).
 *
 * @param regions   which regions to check: {@link Regions#HOME}, {@link Regions#ALL} or a list
 * @param regionIds with {@link Regions#LIST}: the regions, each a numeric id or a region code
 * @param maxRegions most regions checked per round (with {@code all} or a list); the rest are left out, bounded
 *                  gauges
 * @param trust     how the DERP server's certificate is checked
 * @param trustFile the PEM file of trusted certificates with {@link Trust#FILE}
 */
public record DerpCheckSettings(
        boolean enabled,
        Duration interval,
        Duration timeout,
        Regions regions,
        List<String> regionIds,
        int maxRegions,
        Duration disagreementThreshold,
        Trust trust,
        Optional<Path> trustFile) {

    /** Which regions one round checks. */
    public enum Regions {
        /** The node's home region only. */
        HOME,
        /** Every region of the DERP map (up to {@code max-regions}). */
        ALL,
        /** The regions listed (and the home region, for the disagreement rule). */
        LIST
    }

    /** Which certificates the check accepts. */
    public enum Trust {
        /** The JDK's trust store, host name checked: what a DERP client does. */
        SYSTEM,
        /** Any certificate, no host-name check (a lab, or a DERP server with a private certificate). */
        INSECURE,
        /** The certificates of a PEM file, host name checked. */
        FILE
    }

    public DerpCheckSettings {
        Objects.requireNonNull(regions);
        regionIds = List.copyOf(regionIds);
        Objects.requireNonNull(trust);
        Objects.requireNonNull(trustFile);
    }

    /** Registered in META-INF/services/io.derpwatch.config.SettingsSection of the agent. */
    public static final class Section implements SettingsSection<DerpCheckSettings> {
        @Override
        public String key() {
            return "derp-check";
        }

        @Override
        public DerpCheckSettings read(SettingsReader r) {
            boolean enabled = r.bool("enabled");
            Duration interval = r.duration("interval", Duration.ofSeconds(1));
            Duration timeout = r.duration("timeout", Duration.ofMillis(100));
            Regions regions = Regions.HOME;
            List<String> ids = new ArrayList<>();
            if (r.has("regions")) {
                ConfigValue v = r.config().getValue("regions");
                // a list; also a numerically indexed object, the list form of system properties (regions.0 = 3)
                if (v.valueType() == ConfigValueType.LIST || v.valueType() == ConfigValueType.OBJECT) {
                    regions = Regions.LIST;
                    for (String s : r.stringList("regions")) {
                        if (s.isBlank()) {
                            r.problem("regions", "empty region in the list (expected region ids or codes)");
                        }
                        ids.add(s.trim());
                    }
                    if (ids.isEmpty()) {
                        r.problem("regions", "empty list (expected home, all, or a list of region ids or codes)");
                    }
                } else {
                    String s = r.oneOf("regions", List.of("home", "all"));
                    regions = s.equals("all") ? Regions.ALL : Regions.HOME;
                }
            }
            int maxRegions = r.integer("max-regions", 1, 200);
            Duration threshold = nonNegative(r, "disagreement-threshold");
            SettingsReader tls = r.child("tls");
            String trustValue = tls.string("trust");
            Trust trust;
            Optional<Path> trustFile = Optional.empty();
            switch (trustValue.toLowerCase(Locale.ROOT)) {
                case "system" -> trust = Trust.SYSTEM;
                case "insecure" -> trust = Trust.INSECURE;
                default -> {
                    trust = Trust.FILE;
                    trustFile = tls.file("trust", 1024 * 1024);
                }
            }
            return new DerpCheckSettings(
                    enabled, interval, timeout, regions, ids, maxRegions, threshold, trust, trustFile);
        }

        /** A duration of zero or more ({@code 0s}: report a disagreement at its first observation). */
        private static Duration nonNegative(SettingsReader r, String key) {
            if (!r.has(key)) {
                r.problem(key, "missing (expected a duration such as 2m or 0s)");
                return Duration.ZERO;
            }
            try {
                Duration d = r.config().getDuration(key);
                if (d.isNegative()) {
                    r.problem(key, "duration must not be negative (expected a duration such as 2m or 0s)");
                }
                return d;
            } catch (ConfigException.BadValue | ConfigException.WrongType e) {
                r.problem(key, "bad duration (expected a duration such as 2m or 0s)");
                return Duration.ZERO;
            }
        }
    }
}
