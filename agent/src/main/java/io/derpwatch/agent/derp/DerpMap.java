package io.derpwatch.agent.derp;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A DERP map ({@code tailcfg.DERPMap}): regions by id, the optional per-region score multipliers of
 * {@code HomeParams.RegionScore}, and {@code OmitDefaultRegions}.
 */
public record DerpMap(
        SortedMap<Integer, DerpRegion> regions, Map<Integer, Double> regionScore, boolean omitDefaultRegions) {

    public static final DerpMap EMPTY = new DerpMap(new TreeMap<>(), Map.of(), false);

    public DerpMap {
        regions = Collections.unmodifiableSortedMap(new TreeMap<>(regions));
        regionScore = Map.copyOf(regionScore);
    }

    public Optional<DerpRegion> region(int id) {
        return Optional.ofNullable(regions.get(id));
    }

    /** The region whose {@code RegionCode} is {@code code} (what {@code Self.Relay} holds in status). */
    public Optional<DerpRegion> regionByCode(String code) {
        return regions.values().stream().filter(r -> r.code().equals(code)).findFirst();
    }

    /**
     * This map with {@code extra}'s regions added (replacing regions with the same id), or only {@code extra}'s
     * regions when {@code omitThese} is set: what a tailnet policy's {@code derpMap} does to the default map.
     * Score multipliers are merged the same way.
     */
    public DerpMap withRegions(DerpMap extra, boolean omitThese) {
        SortedMap<Integer, DerpRegion> merged = new TreeMap<>(omitThese ? Map.of() : regions);
        merged.putAll(extra.regions());
        Map<Integer, Double> scores = new java.util.HashMap<>(omitThese ? Map.of() : regionScore);
        scores.putAll(extra.regionScore());
        return new DerpMap(merged, scores, omitDefaultRegions || extra.omitDefaultRegions());
    }

    public boolean isEmpty() {
        return regions.isEmpty();
    }
}
