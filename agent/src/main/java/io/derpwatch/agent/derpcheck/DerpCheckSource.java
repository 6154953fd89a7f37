package io.derpwatch.agent.derpcheck;

import io.derpwatch.agent.derp.DerpRegion;
import io.derpwatch.agent.derp.NodeDerpMap;
import io.derpwatch.agent.home.HomeRegion;
import io.derpwatch.agent.home.HomeSnapshot;
import io.derpwatch.agent.source.PolledSource;
import io.derpwatch.agent.source.SampleContext;
import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.telemetry.TelemetryNames;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The active check of the home DERP region as a polled source: the home region from the state store's home
 * snapshot, its first non-STUN-only node from the node's DERP map, checked by {@link DerpUpgradeSampler}. With no
 * home region or no such node the sample yields an empty snapshot (nothing to check). Only the home region
 * ({@code derpwatch.derp-check.regions = home}) for now.
 */
public final class DerpCheckSource implements PolledSource<DerpCheckSnapshot> {
    private final DerpUpgradeSampler sampler;
    private final StateStore state;

    public DerpCheckSource(DerpUpgradeSampler sampler, StateStore state) {
        this.sampler = sampler;
        this.state = state;
    }

    @Override
    public String name() {
        return TelemetryNames.SOURCE_DERP_CHECK;
    }

    @Override
    public CompletableFuture<DerpCheckSnapshot> sample(SampleContext context) {
        Optional<DerpCheckTarget> target = target();
        if (target.isEmpty()) {
            return CompletableFuture.completedFuture(
                    new DerpCheckSnapshot(Optional.empty(), context.clock().wallTime()));
        }
        return sampler.check(target.get())
                .thenApply(r ->
                        new DerpCheckSnapshot(Optional.of(r), context.clock().wallTime()));
    }

    private Optional<DerpCheckTarget> target() {
        Optional<HomeRegion> home =
                state.latest(HomeSnapshot.TOPIC).flatMap(s -> s.connection().region());
        Optional<NodeDerpMap> map = state.latest(NodeDerpMap.TOPIC);
        if (home.isEmpty() || map.isEmpty()) {
            return Optional.empty();
        }
        Optional<DerpRegion> region = home.get().id().isPresent()
                ? map.get().map().region(home.get().id().getAsInt())
                : map.get().map().regionByCode(home.get().code());
        return region.flatMap(r -> r.nodes().stream().filter(n -> !n.stunOnly()).findFirst())
                .map(DerpCheckTarget::of);
    }
}
