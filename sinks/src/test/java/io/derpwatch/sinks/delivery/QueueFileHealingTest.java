package io.derpwatch.sinks.delivery;

import static io.derpwatch.sinks.delivery.QueueFiles.elementAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.derpwatch.sinks.DropReason;
import io.derpwatch.sinks.SinkStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged persistent queue file, one test per kind of damage: opening it never throws, the intact batches
 * are kept (before and after the damage where the format allows), the damaged file is set aside, and every lost
 * batch is counted.
 */
class QueueFileHealingTest {
    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("s.queue");
    }

    private FileBatchQueue reopen() throws IOException {
        return new FileBatchQueue(file(), 1 << 20, Clock.systemUTC());
    }

    private static List<String> batches(int... seqs) {
        return IntStream.of(seqs).mapToObj(i -> "batch-" + i).toList();
    }

    private void assertSetAside() throws IOException {
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .anySatisfy(n -> assertThat(n).startsWith("s.queue.corrupt-"))
                    .noneSatisfy(n -> assertThat(n).endsWith(".salvage"));
        }
    }

    @Test
    void intactFile_opensAsItIs_withEveryBatchAndNothingSetAside() throws IOException {
        QueueFiles.write(file(), 10);

        FileBatchQueue q = reopen();

        assertThat(q.recovered()).isEqualTo(10);
        assertThat(q.corruptFiles()).isZero();
        assertThat(q.lostAtOpen()).isZero();
        assertThat(q.headAcceptedAtMillis()).isEqualTo(1000L);
        assertThat(QueueFiles.drain(q)).isEqualTo(batches(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        q.close();
    }

    @Test
    void hugeElementLength_keepsTheBatchesBeforeIt_andTheLastOne_andEstimatesTheLostFromTheHeader() throws IOException {
        QueueFiles.write(file(), 10);
        QueueFiles.putInt(file(), elementAt(4), 0x7FFFFFF0); // the length that made tape2 allocate 2 GiB

        FileBatchQueue q = reopen();

        assertThat(q.corruptFiles()).isEqualTo(1);
        assertThat(q.recovered()).isEqualTo(5);
        assertThat(q.lostAtOpen()).isEqualTo(5); // header count 10 - 5 salvaged (4..8 are behind the damage)
        assertThat(QueueFiles.drain(q)).isEqualTo(batches(0, 1, 2, 3, 9));
        q.close();
        assertSetAside();
        assertThat(reopen().corruptFiles()).as("the healed file opens clean").isZero();
    }

    @Test
    void unknownHeaderVersion_inAnOtherwiseIntactFile_keepsEveryBatch() throws IOException {
        QueueFiles.write(file(), 10);
        QueueFiles.putInt(file(), 0, 0x80000002);

        FileBatchQueue q = reopen();

        assertThat(q.corruptFiles()).isEqualTo(1);
        assertThat(q.lostAtOpen()).isZero();
        assertThat(QueueFiles.drain(q)).isEqualTo(batches(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        q.close();
        assertSetAside();
    }

    @Test
    void wrongHeaderCount_keepsEveryBatchTheRingHolds() throws IOException {
        QueueFiles.write(file(), 10);
        QueueFiles.putInt(file(), 12, 1000);

        FileBatchQueue q = reopen();

        assertThat(q.corruptFiles()).isEqualTo(1);
        assertThat(q.lostAtOpen()).isZero();
        assertThat(QueueFiles.drain(q)).isEqualTo(batches(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        q.close();
    }

    @Test
    void truncatedFile_keepsTheBatchesBeforeTheCut_andCountsTheRest() throws IOException {
        QueueFiles.write(file(), 10);
        QueueFiles.truncate(file(), elementAt(6) + 10); // element 6 cut in the middle

        FileBatchQueue q = reopen();

        assertThat(q.corruptFiles()).isEqualTo(1);
        assertThat(q.recovered()).isEqualTo(6);
        assertThat(q.lostAtOpen()).isEqualTo(4);
        assertThat(QueueFiles.drain(q)).isEqualTo(batches(0, 1, 2, 3, 4, 5));
        q.close();
        assertSetAside();
    }

    @Test
    void damagedPayload_losesExactlyThatBatch_andKeepsTheOnesAfterIt() throws IOException {
        QueueFiles.write(file(), 10);
        QueueFiles.flipByte(file(), elementAt(5) + QueueFiles.ELEMENT - 1); // last payload byte of batch 5

        FileBatchQueue q = reopen();

        assertThat(q.corruptFiles()).isEqualTo(1);
        assertThat(q.lostAtOpen()).isEqualTo(1);
        assertThat(QueueFiles.drain(q)).isEqualTo(batches(0, 1, 2, 3, 4, 6, 7, 8, 9));
        q.close();
    }

    @Test
    void garbageHeader_setsTheFileAside_andStartsEmpty() throws IOException {
        QueueFiles.write(file(), 3);
        QueueFiles.putInt(file(), 4, 0);
        QueueFiles.putInt(file(), 8, 0); // file length 0

        FileBatchQueue q = reopen();

        assertThat(q.corruptFiles()).isEqualTo(1);
        assertThat(q.recovered()).isZero();
        assertThat(q.lostAtOpen()).isEqualTo(3); // the header's count
        q.close();
        assertSetAside();
    }

    @Test
    void deliveringSink_countsTheLostBatchesAsQueueCorrupt_andDeliversTheSalvagedOnes() throws IOException {
        QueueFiles.write(dir.resolve("s.queue"), 10);
        QueueFiles.putInt(file(), elementAt(4), 0x7FFFFFF0);
        QueueFiles.RecordingSink sink = new QueueFiles.RecordingSink("s");

        DeliveringSink delivering = DeliveringSink.start(sink, QueueFiles.persistentIn(dir));
        try {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> delivering.stats().queued() == 0);
            SinkStats s = delivering.stats();
            assertThat(sink.sent).isEqualTo(batches(0, 1, 2, 3, 9));
            assertThat(s.dropped(DropReason.QUEUE_CORRUPT)).isEqualTo(5);
            assertThat(s.corruptQueueFiles()).isEqualTo(1);
            assertThat(s.accepted() + s.recovered()).isEqualTo(s.exported() + s.droppedTotal() + s.queued());
        } finally {
            delivering.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void queueFilesAndTheDirectoryMadeForThem_areOwnerOnly_whateverTheUmask() throws IOException {
        Path nested = dir.resolve("made/by/us");
        QueueFiles.write(nested.resolve("s.queue"), 1);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nested.resolve("s.queue"))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nested.resolve("s.queue.lock"))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nested)))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("made"))))
                .isEqualTo("rwx------");
    }
}
