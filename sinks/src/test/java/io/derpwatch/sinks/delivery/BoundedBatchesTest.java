package io.derpwatch.sinks.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.sinks.Batch;
import io.derpwatch.sinks.DropReason;
import io.derpwatch.sinks.Signal;
import io.derpwatch.sinks.SinkStats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The store under a sink's queue: within its bounds, every batch that leaves other than by delivery is counted. */
class BoundedBatchesTest {
    private final DeliveryCounters counters = new DeliveryCounters("test");
    private final Clock clock = Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC);

    private BoundedBatches batches(int maxBatches, boolean dropNewest) {
        DeliverySettings s = new DeliverySettings(
                maxBatches,
                1 << 20,
                dropNewest,
                false,
                Path.of("."),
                1 << 20,
                Duration.ofMillis(10),
                Duration.ofMillis(50),
                Duration.ofHours(1));
        return new BoundedBatches("test", new MemoryBatchQueue(1 << 20), s, clock, counters);
    }

    private static Batch batch(String text) {
        return Batch.encoded(Signal.METRICS, null, text.getBytes(StandardCharsets.UTF_8));
    }

    private SinkStats stats(BoundedBatches b) {
        return counters.snapshot(0, 0, 0, b.size(), b.bytes(), true, 0, Duration.ZERO);
    }

    @Test
    void overflow_dropsTheOldestWaitingBatch_andMovesTheHead() {
        BoundedBatches b = batches(2, false);
        b.add(batch("a"), false);
        b.add(batch("b"), false);
        long before = b.generation();

        assertThat(b.add(batch("c"), false)).isTrue();

        assertThat(b.size()).isEqualTo(2);
        assertThat(new String(b.head().payload(), StandardCharsets.UTF_8)).isEqualTo("b");
        assertThat(b.generation()).isGreaterThan(before);
        assertThat(stats(b).dropped(DropReason.QUEUE_FULL)).isEqualTo(1);
    }

    @Test
    void overflow_whileTheHeadIsInFlight_keepsIt_untilTheAttemptEnds() {
        BoundedBatches b = batches(1, false);
        b.add(batch("a"), false);

        b.add(batch("b"), true);
        assertThat(b.size()).isEqualTo(2);
        assertThat(stats(b).droppedTotal()).isZero();

        b.enforceBounds(false);
        assertThat(b.size()).isEqualTo(1);
        assertThat(stats(b).dropped(DropReason.QUEUE_FULL)).isEqualTo(1);
    }

    @Test
    void dropNewest_refusesTheNewBatch_andKeepsTheQueued() {
        BoundedBatches b = batches(1, true);
        b.add(batch("a"), false);

        assertThat(b.add(batch("b"), false)).isTrue();

        assertThat(b.size()).isEqualTo(1);
        assertThat(new String(b.head().payload(), StandardCharsets.UTF_8)).isEqualTo("a");
        assertThat(stats(b).dropped(DropReason.QUEUE_FULL)).isEqualTo(1);
    }

    @Test
    void closingAMemoryStore_countsWhatItHeldAsShutdown() {
        BoundedBatches b = batches(10, false);
        b.add(batch("a"), false);
        b.add(batch("b"), false);

        b.close();

        assertThat(b.sizeAtClose()).isZero();
        assertThat(stats(b).dropped(DropReason.SHUTDOWN)).isEqualTo(2);
    }
}
