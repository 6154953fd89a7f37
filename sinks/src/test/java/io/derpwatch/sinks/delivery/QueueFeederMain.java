package io.derpwatch.sinks.delivery;

import io.derpwatch.sinks.SinkStats;
import io.derpwatch.sinks.runtime.SinkSet;
import io.derpwatch.sinks.testing.TestData;
import io.derpwatch.sinks.testing.TestSinks;
import java.time.Duration;

/**
 * A stand-in agent for the SIGKILL test, run as its own JVM: an OTLP sink with the persistent queue on.
 * {@code feed ENDPOINT DIR N}: exports batches 0..N-1, printing {@code ACCEPTED i} once each export returned
 * (so it is on disk), then waits to be killed. {@code drain ENDPOINT DIR}: delivers what the queue holds, prints
 * {@code DRAINED recovered=R exported=E queued=Q} and exits.
 */
public final class QueueFeederMain {
    private QueueFeederMain() {}

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        SinkSet sinks = TestSinks.open(TestSinks.settings(
                "killed",
                "otlp",
                "endpoint = \"" + args[1] + "\"\n" + TestSinks.FAST_RETRY
                        + "queue.persistent { enabled = true, directory = \"" + args[2] + "\" }\n"));
        if (mode.equals("feed")) {
            int n = Integer.parseInt(args[3]);
            for (int i = 0; i < n; i++) {
                if (!sinks.metricExporter().export(TestData.metricBatch(i)).isSuccess()) {
                    throw new IllegalStateException("export " + i + " not accepted");
                }
                System.out.println("ACCEPTED " + i);
                System.out.flush();
            }
            Thread.sleep(Long.MAX_VALUE);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (sinks.stats().get(0).queued() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        SinkStats s = sinks.stats().get(0);
        System.out.println(
                "DRAINED recovered=" + s.recovered() + " exported=" + s.exported() + " queued=" + s.queued());
        System.out.flush();
        sinks.shutdown(Duration.ofSeconds(2));
        System.exit(0);
    }
}
