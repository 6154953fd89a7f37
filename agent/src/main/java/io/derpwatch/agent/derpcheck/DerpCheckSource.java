package io.derpwatch.agent.derpcheck;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpRegion;
import io.derpwatch.agent.derp.NodeDerpMap;
import io.derpwatch.agent.home.HomeRegion;
import io.derpwatch.agent.home.HomeSnapshot;
import io.derpwatch.agent.source.PolledSource;
import io.derpwatch.agent.source.SampleContext;
import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.telemetry.TelemetryNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/**
 * The active DERP check as a polled source: the home region from the state store's home snapshot, its first
 * non-STUN-only node from the node's DERP map, checked by {@link DerpUpgradeSampler}; with
 * {@code derp-check.regions = all} or a list, the other regions too (all at once, on the event loop, at most
 * {@code max-regions}). With no home region or no such node the home result is empty (nothing to check).
 */
public final class DerpCheckSource implements PolledSource<DerpCheckSnapshot> {
    private final DerpUpgradeSampler sampler;
    private final StateStore state;
    private final DerpCheckSettings.Regions regions;
    private final List<String> regionIds;
    private final int maxRegions;
    private final AutoCloseable resources;

    /** Checks the home region only. */
    public DerpCheckSource(DerpUpgradeSampler sampler, StateStore state) {
        this(sampler, state, DerpCheckSettings.Regions.HOME, List.of(), 1, () -> {});
    }

    /** @param resources closed with the source (the DNS resolver) */
    public DerpCheckSource(
            DerpUpgradeSampler sampler,
            StateStore state,
            DerpCheckSettings.Regions regions,
            List<String> regionIds,
            int maxRegions,
            AutoCloseable resources) {
        this.resources = resources;
        this.sampler = sampler;
        this.state = state;
        this.regions = regions;
        this.regionIds = List.copyOf(regionIds);
        this.maxRegions = maxRegions;
    }

    @Override
    public String name() {
        return TelemetryNames.SOURCE_DERP_CHECK;
    }

    @Override
    public CompletableFuture<DerpCheckSnapshot> sample(SampleContext context) {
        if (state.latest(HomeSnapshot.TOPIC).isPresent()
                && state.latest(NodeDerpMap.TOPIC).isPresent()) {
            return round(context);
        }
        // the agent's first round (and run --once) starts before the first status and DERP map: wait for them,
        // at most the check timeout, without blocking (a listener on the store completes the wait)
        CompletableFuture<Void> ready = new CompletableFuture<>();
        AutoCloseable home = state.subscribe(HomeSnapshot.TOPIC, (p, c) -> completeWhenReady(ready));
        AutoCloseable map = state.subscribe(NodeDerpMap.TOPIC, (p, c) -> completeWhenReady(ready));
        completeWhenReady(ready);
        sampler.schedule(() -> ready.complete(null), sampler.timeout());
        return ready.thenCompose(v -> {
            closeQuietly(home);
            closeQuietly(map);
            return round(context);
        });
    }

    private void completeWhenReady(CompletableFuture<Void> ready) {
        if (state.latest(HomeSnapshot.TOPIC).isPresent()
                && state.latest(NodeDerpMap.TOPIC).isPresent()) {
            ready.complete(null);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // unsubscribing from the store does not fail
        }
    }

    private CompletableFuture<DerpCheckSnapshot> round(SampleContext context) {
        Optional<NodeDerpMap> map = state.latest(NodeDerpMap.TOPIC);
        Optional<DerpRegion> home = map.flatMap(m -> homeRegion(m.map()));
        Map<Integer, DerpCheckTarget> targets = new LinkedHashMap<>();
        home.flatMap(DerpCheckSource::target).ifPresent(t -> targets.put(t.regionId(), t));
        map.ifPresent(m -> others(m.map()).forEach(r -> {
            if (targets.size() < Math.max(1, maxRegions) && !targets.containsKey(r.id())) {
                target(r).ifPresent(t -> targets.put(t.regionId(), t));
            }
        }));
        if (targets.isEmpty()) {
            return CompletableFuture.completedFuture(
                    new DerpCheckSnapshot(Optional.empty(), context.clock().wallTime(), List.of()));
        }
        OptionalInt homeId = home.isPresent() ? OptionalInt.of(home.get().id()) : OptionalInt.empty();
        List<CompletableFuture<DerpCheckResult>> checks = new ArrayList<>();
        targets.values().forEach(t -> checks.add(sampler.check(t)));
        return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<DerpCheckResult> results =
                    checks.stream().map(CompletableFuture::join).toList();
            Optional<DerpCheckResult> homeResult = results.stream()
                    .filter(r -> homeId.isPresent() && r.target().regionId() == homeId.getAsInt())
                    .findFirst();
            List<DerpCheckResult> sorted = results.stream()
                    .sorted(java.util.Comparator.comparingInt(r -> r.target().regionId()))
                    .toList();
            return new DerpCheckSnapshot(homeResult, context.clock().wallTime(), sorted);
        });
    }

    @Override
    public void close() {
        try {
            resources.close();
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(DerpCheckSource.class).warn("closing the DERP check: {}", e.toString());
        }
    }

    /** The source the agent runs for {@code settings}, on {@code loop}. */
    public static DerpCheckSource forAgent(
            DerpCheckSettings settings,
            StateStore state,
            io.netty.channel.EventLoop loop,
            io.derpwatch.agent.net.NettyTransport transport,
            java.util.function.LongSupplier nanoClock) {
        DnsHostResolver dns = new DnsHostResolver(loop, transport);
        DerpUpgradeSampler sampler = new DerpUpgradeSampler(
                loop, transport, DerpCheckTls.inBackground(settings), dns, settings.timeout(), nanoClock);
        return new DerpCheckSource(
                sampler, state, settings.regions(), settings.regionIds(), settings.maxRegions(), dns);
    }

    private Optional<DerpRegion> homeRegion(DerpMap map) {
        Optional<HomeRegion> home =
                state.latest(HomeSnapshot.TOPIC).flatMap(s -> s.connection().region());
        if (home.isEmpty()) {
            return Optional.empty();
        }
        return home.get().id().isPresent()
                ? map.region(home.get().id().getAsInt())
                : map.regionByCode(home.get().code());
    }

    /** The regions besides home that this configuration checks, in order. */
    private List<DerpRegion> others(DerpMap map) {
        return switch (regions) {
            case HOME -> List.of();
            case ALL -> List.copyOf(map.regions().values());
            case LIST ->
                regionIds.stream()
                        .map(id -> id.matches("[0-9]{1,9}") ? map.region(Integer.parseInt(id)) : map.regionByCode(id))
                        .flatMap(Optional::stream)
                        .toList();
        };
    }

    private static Optional<DerpCheckTarget> target(DerpRegion region) {
        return region.nodes().stream().filter(n -> !n.stunOnly()).findFirst().map(DerpCheckTarget::of);
    }
}
