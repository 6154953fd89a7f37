package io.derpwatch.sinks.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.derpwatch.sinks.Batch;
import io.derpwatch.sinks.DropReason;
import io.derpwatch.sinks.PayloadEncoding;
import io.derpwatch.sinks.Signal;
import io.derpwatch.sinks.Sink;
import io.derpwatch.sinks.SinkStats;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The delivery worker under its supervisor (issue 9, "a 7 MiB attribute killed the stdout worker"): no error
 * a sink throws, {@link VirtualMachineError} included, ends delivery; one bad batch is dropped as {@code
 * sink_error} after a few tries, and the health fields tell the truth.
 */
class WorkerSupervisionTest {
    private static final DeliverySettings MEMORY = new DeliverySettings(
            100,
            1 << 20,
            false,
            false,
            Path.of("."),
            1 << 20,
            Duration.ofMillis(10),
            Duration.ofMillis(50),
            Duration.ofHours(1));

    private DeliveringSink delivering;

    @AfterEach
    void stop() {
        if (delivering != null) {
            delivering.stop(Duration.ofSeconds(1));
        }
    }

    /** An SDK-data sink that records the items it was sent, after {@code before} had its say. */
    private record ScriptedSink(List<Object> sent, Consumer<Object> before) implements Sink {
        ScriptedSink(Consumer<Object> before) {
            this(new CopyOnWriteArrayList<>(), before);
        }

        @Override
        public String name() {
            return "scripted";
        }

        @Override
        public PayloadEncoding encoding() {
            return PayloadEncoding.SDK_DATA;
        }

        @Override
        public void send(Batch batch) {
            Object item = batch.data().iterator().next();
            before.accept(item);
            sent.add(item);
        }
    }

    private static void balanced(SinkStats s) {
        assertThat(s.accepted() + s.recovered()).isEqualTo(s.exported() + s.droppedTotal() + s.queued());
    }

    @Test
    void outOfMemoryErrorOnOneBatch_dropsThatBatchAsSinkError_andDeliversTheOthers() {
        ScriptedSink sink = new ScriptedSink(item -> {
            if (item.equals("huge")) {
                throw new OutOfMemoryError("Java heap space (simulated: a 7 MiB attribute)");
            }
        });
        delivering = DeliveringSink.start(sink, MEMORY);

        for (String item : List.of("a", "huge", "b", "c")) {
            assertThat(delivering.accept(Signal.LOGS, List.of(item)).isSuccess())
                    .isTrue();
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> delivering.stats().queued() == 0);
        SinkStats s = delivering.stats();
        assertThat(sink.sent()).containsExactly("a", "b", "c");
        assertThat(s.dropped(DropReason.SINK_ERROR)).isEqualTo(1);
        assertThat(s.failed()).isEqualTo(RetryPolicy.SINK_ERROR_ATTEMPTS);
        assertThat(s.lastError()).contains("OutOfMemoryError");
        assertThat(s.workerAlive()).isTrue();
        balanced(s);
    }

    /** An error that even fails to describe itself: the worker's own error handling throws. */
    private static final class Unprintable extends Error {
        private static final long serialVersionUID = 1L;

        @Override
        public String getMessage() {
            throw new IllegalStateException("cannot even say what went wrong");
        }

        @Override
        public String toString() {
            throw new IllegalStateException("cannot even say what went wrong");
        }
    }

    @Test
    void errorWhoseHandlingFails_restartsTheWorker_andDeliveryGoesOn() {
        AtomicLong bad = new AtomicLong();
        ScriptedSink sink = new ScriptedSink(item -> {
            if (item.equals("bad") && bad.incrementAndGet() < 100) {
                throw new Unprintable();
            }
        });
        delivering = DeliveringSink.start(sink, MEMORY);

        for (String item : List.of("bad", "after")) {
            delivering.accept(Signal.LOGS, List.of(item));
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> sink.sent().contains("after"));
        SinkStats s = delivering.stats();
        assertThat(sink.sent()).containsExactly("after");
        assertThat(s.dropped(DropReason.SINK_ERROR)).isEqualTo(1);
        assertThat(s.workerAlive()).isTrue();
        balanced(s);
    }

    @Test
    void workerLoopFailingOutsideTheSink_isRestartedWithBackoff_andCountsItsRestarts() {
        AtomicLong peeks = new AtomicLong();
        MemoryBatchQueue memory = new MemoryBatchQueue(1 << 20);
        BatchQueue failing = new BatchQueue() {
            @Override
            public void add(Batch batch, long acceptedAtMillis) {
                memory.add(batch, acceptedAtMillis);
            }

            @Override
            public Batch peek() {
                if (peeks.incrementAndGet() <= 2) {
                    throw new StackOverflowError("simulated");
                }
                return memory.peek();
            }

            @Override
            public long headAcceptedAtMillis() {
                return memory.headAcceptedAtMillis();
            }

            @Override
            public void removeHead() {
                memory.removeHead();
            }

            @Override
            public int size() {
                return memory.size();
            }

            @Override
            public long bytes() {
                return memory.bytes();
            }

            @Override
            public long maxBytes() {
                return memory.maxBytes();
            }

            @Override
            public int discardAll() {
                return memory.discardAll();
            }

            @Override
            public void close() {}
        };
        ScriptedSink sink = new ScriptedSink(item -> {});
        delivering = DeliveringSink.start(sink, MEMORY, Clock.systemUTC(), failing, null);

        delivering.accept(Signal.LOGS, List.of("x"));

        await().atMost(Duration.ofSeconds(10)).until(() -> sink.sent().contains("x"));
        SinkStats s = delivering.stats();
        assertThat(s.restarts()).isEqualTo(2);
        assertThat(s.workerAlive()).isTrue();
        assertThat(s.lastError()).contains("StackOverflowError");
        balanced(s);
    }

    /** A clock the test moves. */
    private static final class TestClock extends Clock {
        private final AtomicLong millis = new AtomicLong(1_000_000);

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }
    }

    @Test
    void oldestQueuedAge_isHowLongTheHeadHasWaited_andZeroOnceDelivered() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ScriptedSink sink = new ScriptedSink(item -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        TestClock clock = new TestClock();
        delivering = DeliveringSink.start(sink, MEMORY, clock);

        delivering.accept(Signal.METRICS, List.of("first"));
        clock.millis.addAndGet(30_000);
        delivering.accept(Signal.METRICS, List.of("second"));
        clock.millis.addAndGet(30_000);

        SinkStats waiting = delivering.stats();
        assertThat(waiting.oldestQueuedAge()).isEqualTo(Duration.ofSeconds(60));
        assertThat(waiting.queued()).isEqualTo(2);
        assertThat(waiting.workerAlive()).isTrue();
        assertThat(waiting.restarts()).isZero();

        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> delivering.stats().queued() == 0);
        assertThat(delivering.stats().oldestQueuedAge()).isEqualTo(Duration.ZERO);
    }
}
