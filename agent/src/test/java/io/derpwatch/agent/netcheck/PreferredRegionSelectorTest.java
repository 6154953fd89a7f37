package io.derpwatch.agent.netcheck;

import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpRegion;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PreferredRegionSelectorTest {
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");
    private final PreferredRegionSelector selector = new PreferredRegionSelector(Duration.ofMinutes(5));

    @Test
    void firstReport_prefersTheFastestRegion() {
        assertThat(pick(map(), T0, 1, 30, 2, 20, 3, 90)).isEqualTo(2);
    }

    @Test
    void noAnswers_meansNoPreferredRegion() {
        assertThat(pick(map(), T0)).isZero();
    }

    @Test
    void smallImprovement_keepsTheOldRegion() {
        pick(map(), T0, 1, 30, 2, 60);
        // 2 is 8 ms faster than 1 now: under the 10 ms absolute difference
        assertThat(pick(map(), T0.plusSeconds(400), 1, 30, 2, 22)).isEqualTo(1);
    }

    @Test
    void improvementUnderAThird_keepsTheOldRegion() {
        pick(map(), T0, 1, 90, 2, 120);
        // 2 is 25 ms faster (more than 10 ms) but not a third faster than 1 (needs < 60 ms)
        assertThat(pick(map(), T0.plusSeconds(400), 1, 90, 2, 65)).isEqualTo(1);
    }

    @Test
    void largeImprovement_switches() {
        pick(map(), T0, 1, 90, 2, 120);
        assertThat(pick(map(), T0.plusSeconds(400), 1, 90, 2, 50)).isEqualTo(2);
    }

    @Test
    void oldRegionNoLongerAnswering_switchesAtOnce() {
        pick(map(), T0, 1, 30, 2, 35);
        assertThat(pick(map(), T0.plusSeconds(60), 2, 35)).isEqualTo(2);
    }

    @Test
    void bestLatencyOverTheLastFiveMinutes_counts_olderReportsDoNot() {
        pick(map(), T0, 1, 200, 2, 20);
        // region 2 is slow now, but its best in the window is 20 ms; region 1 is 100 ms now
        assertThat(pick(map(), T0.plusSeconds(60), 1, 100, 2, 150)).isEqualTo(2);
        PreferredRegionSelector fresh = new PreferredRegionSelector(Duration.ofMinutes(5));
        select(fresh, map(), T0, 1, 200, 2, 20);
        // six minutes later the 20 ms sample has left the window: 1 (90 ms) vs 2 (150 ms) is a large gain
        assertThat(select(fresh, map(), T0.plusSeconds(360), 1, 90, 2, 150)).isEqualTo(1);
    }

    @Test
    void regionScore_multipliesLatency() {
        DerpMap scored = new DerpMap(map().regions(), Map.of(1, 2.0), false);
        assertThat(pick(scored, T0, 1, 30, 2, 50)).isEqualTo(2);
    }

    @Test
    void avoidedRegion_isNeverPreferred() {
        TreeMap<Integer, DerpRegion> regions = new TreeMap<>(map().regions());
        regions.put(1, new DerpRegion(1, "aaa", "A", true, false, List.of()));
        assertThat(pick(new DerpMap(regions, Map.of(), false), T0, 1, 5, 2, 50)).isEqualTo(2);
    }

    @Test
    void preferredRegionThatBecomesAvoided_isLeftAtOnce() {
        pick(map(), T0, 1, 30, 2, 35);
        TreeMap<Integer, DerpRegion> regions = new TreeMap<>(map().regions());
        regions.put(1, new DerpRegion(1, "aaa", "A", true, false, List.of()));
        assertThat(pick(new DerpMap(regions, Map.of(), false), T0.plusSeconds(60), 1, 30, 2, 35))
                .isEqualTo(2);
    }

    private int pick(DerpMap map, Instant at, int... idAndMillis) {
        return select(selector, map, at, idAndMillis);
    }

    private static int select(PreferredRegionSelector s, DerpMap map, Instant at, int... idAndMillis) {
        List<RegionLatency> l = new ArrayList<>();
        for (int i = 0; i < idAndMillis.length; i += 2) {
            l.add(new RegionLatency(
                    idAndMillis[i], AddressFamily.IPV4, ProbeKind.STUN, Duration.ofMillis(idAndMillis[i + 1])));
        }
        NetcheckReport r = new NetcheckReport(
                at,
                Duration.ofMillis(300),
                !l.isEmpty(),
                !l.isEmpty(),
                false,
                true,
                false,
                false,
                Optional.empty(),
                0,
                l,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of(1, 2, 3));
        return s.select(r, map, at).preferredDerp();
    }

    private static DerpMap map() {
        TreeMap<Integer, DerpRegion> regions = new TreeMap<>();
        for (int i = 1; i <= 3; i++) {
            regions.put(i, new DerpRegion(i, "r" + i, "Region " + i, false, false, List.of()));
        }
        return new DerpMap(regions, Map.of(), false);
    }
}
