package io.derpwatch.agent.netcheck;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpRegion;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Picks the preferred DERP region the way tailscale's netcheck does: among the regions answering in the current
 * report, the one with the lowest best latency over the reports of the last {@code history} (5 minutes in
 * tailscale), each latency multiplied by the map's {@code HomeParams.RegionScore} when it has one; the previous
 * preferred region is kept while it still answers unless the new one is at least 10 ms and more than a third
 * faster. Regions marked {@code Avoid} or {@code NoMeasureNoHome} are never picked. Not thread-safe: used from
 * one thread (the event loop, or the CLI's single report).
 */
public final class PreferredRegionSelector {
    static final Duration ABSOLUTE_DIFF = Duration.ofMillis(10);

    private final Duration history;
    private final Deque<Entry> reports = new ArrayDeque<>();
    private int previous;

    private record Entry(Instant at, Map<Integer, Duration> latency) {}

    public PreferredRegionSelector(Duration history) {
        this.history = history;
    }

    /** Adds {@code report} (taken at {@code at}) to the history and returns it with its preferred region set. */
    public NetcheckReport select(NetcheckReport report, DerpMap map, Instant at) {
        Map<Integer, Duration> current = report.regionLatency();
        reports.addLast(new Entry(at, current));
        while (!reports.isEmpty()
                && Duration.between(reports.peekFirst().at(), at).compareTo(history) > 0) {
            reports.removeFirst();
        }
        Map<Integer, Long> bestRecent = new HashMap<>();
        for (Entry e : reports) {
            e.latency().forEach((id, d) -> bestRecent.merge(id, d.toNanos(), Math::min));
        }
        long bestAny = 0;
        int preferred = 0;
        long oldCurrent = 0;
        for (Map.Entry<Integer, Duration> e : current.entrySet()) {
            int id = e.getKey();
            double score = map.regionScore().getOrDefault(id, 0.0);
            long now = scaled(e.getValue().toNanos(), score);
            DerpRegion region = map.regions().get(id);
            if (region != null && (region.avoid() || region.noMeasureNoHome())) {
                continue; // never preferred, and a preferred region that became Avoid is left at once
            }
            if (id == previous) {
                oldCurrent = now;
            }
            long best = scaled(bestRecent.getOrDefault(id, e.getValue().toNanos()), score);
            if (preferred == 0 || best < bestAny) {
                bestAny = best;
                preferred = id;
            }
        }
        if (previous != 0 && preferred != previous && oldCurrent != 0) {
            boolean smallGain = oldCurrent - bestAny < ABSOLUTE_DIFF.toNanos();
            boolean underAThird = bestAny > oldCurrent / 3 * 2;
            if (smallGain || underAThird) {
                preferred = previous;
            }
        }
        previous = preferred;
        return report.withPreferredDerp(preferred);
    }

    private static long scaled(long nanos, double score) {
        return score > 0 ? (long) (nanos * score) : nanos;
    }
}
