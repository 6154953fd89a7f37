package io.derpwatch.agent.derp;

import static io.derpwatch.agent.json.GoJsonStreamReader.BOOL;
import static io.derpwatch.agent.json.GoJsonStreamReader.DOUBLE;
import static io.derpwatch.agent.json.GoJsonStreamReader.INT;
import static io.derpwatch.agent.json.GoJsonStreamReader.TEXT;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.derpwatch.agent.json.GoJsonStreamReader;
import io.derpwatch.agent.json.GoJsonStreamReader.ValueReader;
import io.derpwatch.agent.json.JsonCapException;
import io.derpwatch.config.LocalApiLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Parses a DERP map in either JSON form: {@code tailcfg.DERPMap} (what {@code /localapi/v0/derpmap} and
 * {@code /derpmap/default} serve) or a tailnet policy file's {@code "derpMap"} object (case-insensitive wrapper
 * key). Unknown fields are ignored; {@code null} (the LocalAPI's answer when the node has no map) gives
 * {@link DerpMap#EMPTY}; a region or node that is {@code null} or not an object is skipped.
 *
 * <p>Streamed with bounded work: depth, string length, regions and nodes per region are capped
 * ({@link LocalApiLimits}); a port out of range or a host name that is not a DNS name or IP literal (a CR/LF, a
 * space) rejects the map. Every failure is a {@link DerpMapException} whose message says what and where.
 */
public final class DerpMapCodec {
    private static final Map<String, ValueReader<?>> NODE_FIELDS = Map.of(
            "Name", TEXT,
            "RegionID", INT,
            "HostName", TEXT,
            "IPv4", TEXT,
            "IPv6", TEXT,
            "STUNPort", INT,
            "STUNOnly", BOOL,
            "DERPPort", INT,
            "CanPort80", BOOL);

    private final GoJsonStreamReader reader;
    private final Map<String, ValueReader<?>> mapFields;
    private final Map<String, ValueReader<?>> rootFields;

    /** With the defaults of {@code reference.conf}. */
    public DerpMapCodec() {
        this(LocalApiLimits.DEFAULTS);
    }

    public DerpMapCodec(LocalApiLimits limits) {
        this.reader = new GoJsonStreamReader(limits);
        this.mapFields = Map.of(
                "Regions",
                this::regions,
                "HomeParams",
                p -> p.currentToken() == JsonToken.START_OBJECT
                        ? GoJsonStreamReader.object(p, Map.of("RegionScore", this::scores))
                                .get("RegionScore")
                        : skipped(p),
                "OmitDefaultRegions",
                BOOL);
        Map<String, ValueReader<?>> root = new HashMap<>(mapFields);
        root.put("derpMap", this::policyMap);
        this.rootFields = Map.copyOf(root);
    }

    /** Parses the document, or throws {@link DerpMapException} saying what is wrong and where. */
    public DerpMap parse(byte[] json) throws DerpMapException {
        try (JsonParser p = reader.open(json)) {
            JsonToken first = p.nextToken();
            if (first == null || first == JsonToken.VALUE_NULL) {
                return DerpMap.EMPTY;
            }
            if (first != JsonToken.START_OBJECT) {
                throw new DerpMapException("DERP map must be a JSON object, got " + GoJsonStreamReader.typeOf(first));
            }
            Map<String, @Nullable Object> root = GoJsonStreamReader.object(p, rootFields);
            Object policy = root.get("derpMap");
            Content c = policy instanceof Content inner ? inner : content(root);
            if (c.badRegions()) {
                throw new DerpMapException("\"Regions\" must be an object keyed by region id");
            }
            return new DerpMap(new TreeMap<>(c.regions()), c.scores(), c.omit());
        } catch (StreamConstraintsException e) {
            throw new DerpMapException(
                    "DERP map rejected: " + reader.capExceeded(e).getMessage(), e);
        } catch (JsonCapException e) {
            throw new DerpMapException("DERP map rejected: " + e.getMessage(), e);
        } catch (InvalidRegion e) {
            throw new DerpMapException(e.getMessage(), e);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null
                    ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr();
            throw new DerpMapException("malformed DERP map JSON: " + e.getOriginalMessage() + where, e);
        } catch (IOException | UncheckedIOException e) {
            throw new DerpMapException("unreadable DERP map: " + e.getMessage(), e);
        }
    }

    /** What one map object holds; {@code badRegions} when its {@code Regions} is neither an object nor null. */
    private record Content(
            Map<Integer, DerpRegion> regions, Map<Integer, Double> scores, boolean omit, boolean badRegions) {}

    private static final Object BAD_REGIONS = new Object();

    @SuppressWarnings("unchecked")
    private static Content content(Map<String, @Nullable Object> fields) {
        Object regions = fields.get("Regions");
        Object scores = fields.get("HomeParams");
        return new Content(
                regions instanceof Map<?, ?> m ? (Map<Integer, DerpRegion>) m : Map.of(),
                scores instanceof Map<?, ?> s ? (Map<Integer, Double>) s : Map.of(),
                Boolean.TRUE.equals(fields.get("OmitDefaultRegions")),
                regions == BAD_REGIONS);
    }

    /** A policy file's {@code derpMap} object: a map of its own. */
    private @Nullable Content policyMap(JsonParser p) throws IOException {
        return p.currentToken() == JsonToken.START_OBJECT
                ? content(GoJsonStreamReader.object(p, mapFields))
                : skipped(p);
    }

    private static <T> @Nullable T skipped(JsonParser p) throws IOException {
        p.skipChildren();
        return null;
    }

    private Object regions(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return Map.of();
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return BAD_REGIONS;
        }
        int max = reader.limits().maxRegions();
        Map<Integer, DerpRegion> out = new TreeMap<>();
        int n = 0;
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            if (++n > max) {
                throw new JsonCapException("more than " + max + " regions", LocalApiLimits.key("max-regions"));
            }
            String key = p.currentName();
            if (p.nextToken() != JsonToken.START_OBJECT) {
                p.skipChildren(); // a policy may null out a default region
                continue;
            }
            DerpRegion region = region(key, p);
            out.put(region.id(), region);
        }
        return out;
    }

    private DerpRegion region(String key, JsonParser p) throws IOException {
        Map<String, @Nullable Object> f = GoJsonStreamReader.object(
                p,
                Map.of(
                        "RegionID", INT,
                        "RegionCode", TEXT,
                        "RegionName", TEXT,
                        "Avoid", BOOL,
                        "NoMeasureNoHome", BOOL,
                        "Nodes", this::nodes));
        Integer given = (Integer) f.get("RegionID");
        int id = given == null ? -1 : given;
        if (id < 0) {
            try {
                id = Integer.parseInt(key);
            } catch (NumberFormatException e) {
                throw new InvalidRegion("region " + DerpNode.quoted(key) + " has no numeric RegionID");
            }
            if (id < 0) {
                throw new InvalidRegion("region " + DerpNode.quoted(key) + " has a negative id");
            }
        }
        String code = str(f, "RegionCode");
        String name = str(f, "RegionName");
        List<DerpNode> nodes = new ArrayList<>();
        @SuppressWarnings("unchecked")
        List<Map<String, @Nullable Object>> raw = (List<Map<String, @Nullable Object>>) f.get("Nodes");
        if (raw != null) {
            for (Map<String, @Nullable Object> node : raw) {
                nodes.add(node(id, node));
            }
        }
        return new DerpRegion(
                id,
                code,
                name.isEmpty() ? code : name,
                Boolean.TRUE.equals(f.get("Avoid")),
                Boolean.TRUE.equals(f.get("NoMeasureNoHome")),
                nodes);
    }

    private static DerpNode node(int regionId, Map<String, @Nullable Object> f) throws InvalidRegion {
        try {
            return new DerpNode(
                    str(f, "Name"),
                    integer(f, "RegionID", regionId),
                    str(f, "HostName"),
                    str(f, "IPv4"),
                    str(f, "IPv6"),
                    integer(f, "STUNPort", 0),
                    Boolean.TRUE.equals(f.get("STUNOnly")),
                    integer(f, "DERPPort", 0),
                    Boolean.TRUE.equals(f.get("CanPort80")));
        } catch (IllegalArgumentException e) {
            throw new InvalidRegion(
                    "region " + regionId + ", node " + DerpNode.quoted(str(f, "Name")) + ": " + e.getMessage());
        }
    }

    private @Nullable List<Map<String, @Nullable Object>> nodes(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            p.skipChildren();
            return null;
        }
        int max = reader.limits().maxNodesPerRegion();
        List<Map<String, @Nullable Object>> out = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (out.size() >= max) {
                throw new JsonCapException(
                        "a region has more than " + max + " nodes", LocalApiLimits.key("max-nodes-per-region"));
            }
            if (t == JsonToken.START_OBJECT) {
                out.add(GoJsonStreamReader.object(p, NODE_FIELDS));
            } else {
                p.skipChildren();
            }
        }
        return out;
    }

    private @Nullable Map<Integer, Double> scores(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return null;
        }
        int max = reader.limits().maxRegions();
        Map<Integer, Double> out = new HashMap<>();
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            if (out.size() >= max) {
                throw new JsonCapException("more than " + max + " region scores", LocalApiLimits.key("max-regions"));
            }
            String key = p.currentName();
            p.nextToken();
            double v = DOUBLE.read(p);
            try {
                out.put(Integer.parseInt(key), v);
            } catch (NumberFormatException ignored) {
                // a score for a non-numeric region id cannot apply to any region
            }
        }
        return out;
    }

    private static String str(Map<String, @Nullable Object> f, String key) {
        Object v = f.get(key);
        return v == null ? "" : (String) v;
    }

    private static int integer(Map<String, @Nullable Object> f, String key, int absent) {
        Object v = f.get(key);
        return v == null ? absent : (Integer) v;
    }

    /** A region that cannot be used; becomes a {@link DerpMapException}. */
    private static final class InvalidRegion extends IOException {
        InvalidRegion(String message) {
            super(message);
        }
    }
}
