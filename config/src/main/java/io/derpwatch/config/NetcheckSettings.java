package io.derpwatch.config;

import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import java.time.Duration;
import java.util.List;

/**
 * The netcheck source: STUN measurement of every DERP region ({@code derpwatch.netcheck}).
 *
 * @param timeout               hard cap on one report
 * @param stunTimeout           wait after a region's last STUN try before giving up on it
 * @param tries                 STUN tries per region and family
 * @param tryInterval           time between two tries to one region
 * @param preferredHistory      window of past reports for the preferred region (tailscale: 5 minutes)
 * @param derpMap               where the DERP map comes from
 */
public record NetcheckSettings(
        boolean enabled,
        Duration interval,
        Duration timeout,
        Duration stunTimeout,
        int tries,
        Duration tryInterval,
        boolean ipv4,
        boolean ipv6,
        boolean measureAvoidedRegions,
        boolean reportPublicAddresses,
        Duration preferredHistory,
        HttpsFallback httpsFallback,
        CaptivePortal captivePortal,
        DerpMapSettings derpMap) {

    /** {@code derpwatch.netcheck.https-fallback}: latency over HTTPS when no STUN reply arrives at all. */
    public record HttpsFallback(boolean enabled, Duration timeout) {}

    /** {@code derpwatch.netcheck.captive-portal}: the {@code /generate_204} check. */
    public record CaptivePortal(boolean enabled, Duration timeout) {}

    /**
     * {@code derpwatch.netcheck.derp-map}.
     *
     * @param source       {@code localapi}, {@code url} or {@code file}
     * @param regionsJson  the configured extra regions as a JSON object keyed by region id ({@code {}} when none)
     */
    public record DerpMapSettings(
            String source,
            String url,
            String file,
            Duration refreshInterval,
            boolean omitDefaultRegions,
            String regionsJson) {
        public static final List<String> SOURCES = List.of("localapi", "url", "file");
    }

    /** {@code derpwatch.netcheck}, registered in META-INF/services/io.derpwatch.config.SettingsSection. */
    public static final class Section implements SettingsSection<NetcheckSettings> {
        @Override
        public String key() {
            return "netcheck";
        }

        @Override
        public NetcheckSettings read(SettingsReader reader) {
            return NetcheckSettings.read(reader);
        }
    }

    /** Largest DERP map file accepted (tailscale's default map is about 20 KiB). */
    public static final long MAX_DERP_MAP_FILE_SIZE = 4L * 1024 * 1024;

    static NetcheckSettings read(SettingsReader r) {
        SettingsReader https = r.child("https-fallback");
        SettingsReader portal = r.child("captive-portal");
        SettingsReader map = r.child("derp-map");
        String source = map.oneOf("source", DerpMapSettings.SOURCES);
        String file = map.string("file");
        if (source.equals("file") && file.isBlank()) {
            map.problem("file", "no DERP map file given for source = file (expected file = \"/path/derpmap.json\")");
        }
        String url = map.string("url");
        if (!url.startsWith("https://") && !url.startsWith("http://")) {
            map.problem("url", "bad DERP map URL \"" + url + "\" (expected an https:// URL)");
        }
        return new NetcheckSettings(
                r.bool("enabled"),
                r.duration("interval", Duration.ofMillis(100)),
                r.duration("timeout", Duration.ofMillis(100)),
                r.duration("stun-timeout", Duration.ofMillis(50)),
                r.integer("tries", 1, 10),
                r.duration("try-interval", Duration.ofMillis(10)),
                r.bool("ipv4"),
                r.bool("ipv6"),
                r.bool("measure-avoided-regions"),
                r.bool("report-public-addresses"),
                r.duration("preferred-history", Duration.ofSeconds(1)),
                new HttpsFallback(https.bool("enabled"), https.duration("timeout", Duration.ofMillis(100))),
                new CaptivePortal(portal.bool("enabled"), portal.duration("timeout", Duration.ofMillis(100))),
                new DerpMapSettings(
                        source,
                        url,
                        file,
                        map.duration("refresh-interval", Duration.ofMillis(100)),
                        map.bool("omit-default-regions"),
                        regions(map)));
    }

    /** The extra regions as JSON; region ids must be 900-999 and each region an object. */
    private static String regions(SettingsReader map) {
        if (!map.has("regions")) {
            return "{}";
        }
        ConfigValue v = map.config().getValue("regions");
        if (!(v instanceof ConfigObject obj)) {
            map.problem(
                    "regions",
                    "wrong type " + v.valueType().name()
                            + " (expected an object of regions keyed by id: regions { 900 { RegionCode = ... } })");
            return "{}";
        }
        for (var e : obj.entrySet()) {
            String key = e.getKey();
            int id;
            try {
                id = Integer.parseInt(key);
            } catch (NumberFormatException ex) {
                id = -1;
            }
            if (id < 900 || id > 999) {
                map.problem("regions", "region id \"" + key + "\" out of range (expected 900 to 999)");
            } else if (!(e.getValue() instanceof ConfigObject)) {
                map.problem("regions", "region " + key + " must be an object in tailcfg.DERPRegion form");
            } else {
                DerpRegionCheck.check(map.child("regions").child(key), id);
            }
        }
        return obj.render(ConfigRenderOptions.concise());
    }
}
