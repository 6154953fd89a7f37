package io.derpwatch.sinks.delivery;

import io.derpwatch.sinks.DropReason;
import io.derpwatch.sinks.SinkStats;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A stand-in agent start for the crash-loop test, run as its own small-heap JVM: opens a sink with the
 * persistent queue in {@code args[0]}, waits until what it recovered is delivered, prints {@code OPENED
 * recovered=R exported=E corrupt=C lost=L} and exits 0. An error out of the queue's opening exits 1.
 */
public final class QueueOpenMain {
    private QueueOpenMain() {}

    public static void main(String[] args) throws Exception {
        QueueFiles.RecordingSink sink = new QueueFiles.RecordingSink("s");
        DeliveringSink delivering = DeliveringSink.start(sink, QueueFiles.persistentIn(Path.of(args[0])));
        delivering.flush().join(10, java.util.concurrent.TimeUnit.SECONDS);
        SinkStats s = delivering.stats();
        System.out.println("OPENED recovered=" + s.recovered() + " exported=" + s.exported() + " corrupt="
                + s.corruptQueueFiles() + " lost=" + s.dropped(DropReason.QUEUE_CORRUPT));
        System.out.flush();
        delivering.stop(Duration.ofSeconds(1));
        System.exit(0);
    }
}
