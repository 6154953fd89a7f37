package io.derpwatch.agent.peers;

import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.agent.peers.PeerPathTracker.PathChange;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerPathTrackerTest {
    private static final Instant T0 = Instant.parse("2026-12-01T12:00:00Z");
    private final PeerPathTracker tracker = new PeerPathTracker(Duration.ofMinutes(5));

    private static PeerEntry peer(String name, PeerPath path, String region) {
        return new PeerEntry(name + ".ts.net.", name, path, region, true);
    }

    private List<PathChange> sample(Instant at, PeerEntry... peers) {
        tracker.begin(at);
        for (PeerEntry p : peers) {
            tracker.accept(p);
        }
        return tracker.finish();
    }

    @Test
    void firstSight_isNoChange() {
        assertThat(sample(T0, peer("a", PeerPath.DERP, "fra"))).isEmpty();
    }

    @Test
    void directToDerp_isReported_withThePreviousPathAndRegion() {
        sample(T0, peer("a", PeerPath.DIRECT, "fra"));

        List<PathChange> changes = sample(T0.plusSeconds(30), peer("a", PeerPath.DERP, "nyc"));

        assertThat(changes).singleElement().satisfies(c -> {
            assertThat(c.peer().path()).isEqualTo(PeerPath.DERP);
            assertThat(c.peer().region()).isEqualTo("nyc");
            assertThat(c.previous()).isEqualTo(PeerPath.DIRECT);
            assertThat(c.previousRegion()).isEqualTo("fra");
            assertThat(c.suppressed()).isZero();
        });
    }

    @Test
    void goingIdleAndBack_onTheSamePath_isNoChange() {
        sample(T0, peer("a", PeerPath.DIRECT, "fra"));
        assertThat(sample(T0.plusSeconds(30), peer("a", PeerPath.IDLE, "fra"))).isEmpty();
        assertThat(sample(T0.plusSeconds(60), peer("a", PeerPath.DIRECT, "fra")))
                .isEmpty();
    }

    @Test
    void flapping_isThrottledPerPeer_andTheSuppressedCountComesWithTheNextEvent() {
        sample(T0, peer("a", PeerPath.DIRECT, "fra"), peer("b", PeerPath.DIRECT, "fra"));
        assertThat(sample(T0.plusSeconds(30), peer("a", PeerPath.DERP, "fra"), peer("b", PeerPath.DIRECT, "fra")))
                .hasSize(1);
        assertThat(sample(T0.plusSeconds(60), peer("a", PeerPath.DIRECT, "fra"), peer("b", PeerPath.DERP, "fra")))
                .as("a is throttled, b is not")
                .extracting(c -> c.peer().hostName())
                .containsExactly("b");
        assertThat(sample(T0.plusSeconds(90), peer("a", PeerPath.DERP, "fra"), peer("b", PeerPath.DERP, "fra")))
                .isEmpty();

        List<PathChange> later =
                sample(T0.plusSeconds(30 + 301), peer("a", PeerPath.DIRECT, "fra"), peer("b", PeerPath.DERP, "fra"));

        assertThat(later).singleElement().satisfies(c -> {
            assertThat(c.peer().hostName()).isEqualTo("a");
            assertThat(c.suppressed()).isEqualTo(2);
        });
    }

    @Test
    void peersGoneFromTheStatus_areForgotten() {
        sample(T0, peer("a", PeerPath.DIRECT, "fra"), peer("b", PeerPath.DIRECT, "fra"));
        sample(T0.plusSeconds(30), peer("a", PeerPath.DIRECT, "fra"));

        assertThat(tracker.size()).isEqualTo(1);
        assertThat(sample(T0.plusSeconds(60), peer("b", PeerPath.DERP, "fra")))
                .as("b is new again")
                .isEmpty();
    }
}
