package io.derpwatch.agent.home;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpRegion;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A node's home DERP region: its code ({@code Self.Relay}) always, its id and name when the DERP map has a
 * region with that code.
 */
public record HomeRegion(String code, OptionalInt id, Optional<String> name) {

    public static HomeRegion codeOnly(String code) {
        return new HomeRegion(code, OptionalInt.empty(), Optional.empty());
    }

    /** The region with this code, named from {@code derpMap} when the map has it. */
    public static HomeRegion resolve(String code, Optional<DerpMap> derpMap) {
        Optional<DerpRegion> region = derpMap.flatMap(m -> m.regionByCode(code));
        return region.map(r -> new HomeRegion(
                        code, OptionalInt.of(r.id()), r.name().isEmpty() ? Optional.empty() : Optional.of(r.name())))
                .orElseGet(() -> codeOnly(code));
    }

    /** {@code sin (3, Singapore)}, {@code sin}: for log and event bodies. */
    public String describe() {
        if (id.isEmpty()) {
            return code;
        }
        return code + " (" + id.getAsInt() + name.map(n -> ", " + n).orElse("") + ")";
    }
}
