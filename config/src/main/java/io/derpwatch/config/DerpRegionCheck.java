package io.derpwatch.config;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.List;

/**
 * Checks a DERP region written in the configuration ({@code derp-map.regions.<id>}, tailcfg.DERPRegion form) where
 * the user wrote it: ports in range and names that are one line of text, so that nothing the config names can
 * throw inside the event loop or smuggle a CR/LF into a request line or a log.
 */
final class DerpRegionCheck {
    private static final List<String> REGION_TEXT = List.of("RegionCode", "RegionName");
    private static final List<String> NODE_TEXT = List.of("Name", "HostName", "IPv4", "IPv6", "STUNTestIP");

    private DerpRegionCheck() {}

    static void check(SettingsReader region, int id) {
        if (region.has("RegionID") && region.integer("RegionID", 0, Integer.MAX_VALUE) != id) {
            region.problem("RegionID", "RegionID differs from the region's key " + id + " (expected " + id + ")");
        }
        for (String key : REGION_TEXT) {
            text(region, key);
        }
        if (!region.has("Nodes")) {
            return;
        }
        ConfigValue nodes = region.config().getValue("Nodes");
        if (!(nodes instanceof ConfigList list)) {
            region.problem("Nodes", "wrong type " + nodes.valueType().name() + " (expected a list of nodes [{...}])");
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof ConfigObject obj)) {
                region.problem("Nodes", "node " + i + " is not an object (expected { HostName = ..., ... })");
                continue;
            }
            SettingsReader node = region.over(obj.toConfig(), region.path("Nodes") + "." + i);
            for (String key : NODE_TEXT) {
                text(node, key);
            }
            if (node.has("STUNPort")) {
                // tailcfg: 0 means the default 3478, -1 disables STUN on the node.
                node.integer("STUNPort", -1, 65535);
            }
            if (node.has("DERPPort")) {
                // tailcfg: 0 means the default 443.
                node.integer("DERPPort", 0, 65535);
            }
        }
    }

    /** A name: a string of printable characters, no CR/LF or other control characters. */
    private static void text(SettingsReader r, String key) {
        if (!r.has(key)) {
            return;
        }
        ConfigValueType type = r.config().getValue(key).valueType();
        if (type != ConfigValueType.STRING) {
            r.problem(key, "wrong type " + type.name() + " (expected a string)");
            return;
        }
        String s = r.string(key);
        if (s.length() > 253) {
            r.problem(key, "longer than 253 characters (expected a host name or address)");
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                r.problem(
                        key,
                        "contains a control character (U+" + String.format("%04X", (int) s.charAt(i))
                                + ") (expected one line of printable text, no CR or LF)");
                return;
            }
        }
    }
}
