package io.derpwatch.agent.derp;

import java.util.List;

/** One DERP region ({@code tailcfg.DERPRegion}). */
public record DerpRegion(
        int id, String code, String name, boolean avoid, boolean noMeasureNoHome, List<DerpNode> nodes) {
    public DerpRegion {
        nodes = List.copyOf(nodes);
    }
}
