package io.derpwatch.agent.derp;

import static io.derpwatch.agent.json.GoJsonFields.bool;
import static io.derpwatch.agent.json.GoJsonFields.field;
import static io.derpwatch.agent.json.GoJsonFields.integer;
import static io.derpwatch.agent.json.GoJsonFields.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.derpwatch.agent.json.JsonTreeReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Parses a DERP map in either JSON form: {@code tailcfg.DERPMap} (what {@code /localapi/v0/derpmap} and
 * {@code /derpmap/default} serve) or a tailnet policy file's {@code "derpMap"} object (case-insensitive wrapper
 * key). Unknown fields are ignored; {@code null} (the LocalAPI's answer when the node has no map) gives
 * {@link DerpMap#EMPTY}.
 */
public final class DerpMapCodec {
    private final JsonTreeReader reader = new JsonTreeReader();

    /** Parses the document, or throws {@link DerpMapException} saying what is wrong and where. */
    public DerpMap parse(byte[] json) throws DerpMapException {
        JsonNode root;
        try {
            root = reader.read(json);
        } catch (JsonProcessingException e) {
            throw new DerpMapException(
                    "malformed DERP map JSON: " + e.getOriginalMessage() + " at line "
                            + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr(),
                    e);
        } catch (java.io.IOException e) {
            throw new DerpMapException("unreadable DERP map: " + e.getMessage(), e);
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            return DerpMap.EMPTY;
        }
        if (!root.isObject()) {
            throw new DerpMapException("DERP map must be a JSON object, got " + root.getNodeType());
        }
        JsonNode policy = field(root, "derpMap");
        if (policy != null && !policy.isNull()) {
            root = policy;
        }
        Map<Integer, DerpRegion> regions = new TreeMap<>();
        JsonNode regionsNode = field(root, "Regions");
        if (regionsNode != null && regionsNode.isObject()) {
            for (Map.Entry<String, JsonNode> e : regionsNode.properties()) {
                if (e.getValue() == null || e.getValue().isNull()) {
                    continue; // a policy may null out a default region
                }
                DerpRegion region = region(e.getKey(), e.getValue());
                regions.put(region.id(), region);
            }
        } else if (regionsNode != null && !regionsNode.isNull()) {
            throw new DerpMapException("\"Regions\" must be an object keyed by region id");
        }
        Map<Integer, Double> score = new HashMap<>();
        JsonNode home = field(root, "HomeParams");
        JsonNode scores = home == null ? null : field(home, "RegionScore");
        if (scores != null && scores.isObject()) {
            scores.properties().forEach(e -> {
                try {
                    score.put(Integer.parseInt(e.getKey()), e.getValue().asDouble());
                } catch (NumberFormatException ignored) {
                    // a score for a non-numeric region id cannot apply to any region
                }
            });
        }
        JsonNode omit = field(root, "OmitDefaultRegions");
        return new DerpMap(new TreeMap<>(regions), score, omit != null && omit.asBoolean(false));
    }

    private static DerpRegion region(String key, JsonNode n) throws DerpMapException {
        int id = integer(n, "RegionID", -1);
        if (id < 0) {
            try {
                id = Integer.parseInt(key);
            } catch (NumberFormatException e) {
                throw new DerpMapException("region \"" + key + "\" has no numeric RegionID");
            }
        }
        String code = text(n, "RegionCode");
        String name = text(n, "RegionName");
        List<DerpNode> nodes = new java.util.ArrayList<>();
        JsonNode nodesNode = field(n, "Nodes");
        if (nodesNode != null && nodesNode.isArray()) {
            for (JsonNode node : nodesNode) {
                nodes.add(new DerpNode(
                        text(node, "Name"),
                        integer(node, "RegionID", id),
                        text(node, "HostName"),
                        text(node, "IPv4"),
                        text(node, "IPv6"),
                        integer(node, "STUNPort", 0),
                        bool(node, "STUNOnly"),
                        integer(node, "DERPPort", 0),
                        bool(node, "CanPort80")));
            }
        }
        return new DerpRegion(
                id, code, name.isEmpty() ? code : name, bool(n, "Avoid"), bool(n, "NoMeasureNoHome"), nodes);
    }
}
