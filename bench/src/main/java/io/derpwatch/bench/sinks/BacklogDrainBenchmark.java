package io.derpwatch.bench.sinks;

import io.derpwatch.sinks.runtime.SinkSet;
import io.opentelemetry.sdk.metrics.data.MetricData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time to deliver a one-hour backlog after an outage: 360 metric batches (one per 10 s export interval) queued
 * while the receiver was down; the benchmark starts the receiver and waits until the queue is empty. The retry
 * backoff is set to 10-100 ms so the figure is the drain itself; with the defaults add up to {@code retry.max}
 * (30 s) for the first retry after the receiver returns.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(
        value = 1,
        jvmArgs = {"-Xmx256m"})
public class BacklogDrainBenchmark {
    static final int ONE_HOUR_OF_BATCHES = 360;

    @Param({"memory", "persistent"})
    public String queue;

    private CountingOtlpReceiver receiver;
    private SinkSet sinks;
    private Path queueDir;

    @Setup(Level.Iteration)
    public void fillBacklog() throws Exception {
        receiver = new CountingOtlpReceiver();
        receiver.start();
        receiver.stop();
        String extra = "retry { initial = 10ms, max = 100ms }\n";
        if (queue.equals("persistent")) {
            queueDir = Files.createTempDirectory("derpwatch-bench-backlog");
            extra += "queue.persistent { enabled = true, directory = \"" + queueDir + "\" }\n";
        }
        sinks = BenchData.otlpSink(receiver.endpoint(), extra);
        List<MetricData> batch = BenchData.collection();
        for (int i = 0; i < ONE_HOUR_OF_BATCHES; i++) {
            sinks.metricExporter().export(batch);
        }
        if (sinks.stats().get(0).queued() != ONE_HOUR_OF_BATCHES) {
            throw new IllegalStateException(
                    "backlog not queued: " + sinks.stats().get(0));
        }
    }

    @Benchmark
    public long drainOneHourBacklog() throws Exception {
        receiver.start();
        if (!sinks.flush(Duration.ofMinutes(2))) {
            throw new IllegalStateException(
                    "backlog not drained: " + sinks.stats().get(0));
        }
        return receiver.requests();
    }

    @TearDown(Level.Iteration)
    public void tearDown() throws Exception {
        long exported = sinks.stats().get(0).exported();
        sinks.shutdown(Duration.ofSeconds(5));
        receiver.close();
        if (exported != ONE_HOUR_OF_BATCHES || receiver.requests() != ONE_HOUR_OF_BATCHES) {
            throw new IllegalStateException("exported " + exported + ", received " + receiver.requests());
        }
        if (queueDir != null) {
            try (var files = Files.list(queueDir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(queueDir);
        }
    }
}
