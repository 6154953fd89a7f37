package io.derpwatch.bench.sinks;

import io.derpwatch.sinks.runtime.SinkSet;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
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
 * Batches delivered per second to the same loopback OTLP/gRPC receiver, one batch at a time (export, then wait
 * until the receiver acknowledged it):
 * <ul>
 *   <li>{@code bare}: the SDK's {@code OtlpGrpcMetricExporter} (through derpwatch's grpc-java sender provider);</li>
 *   <li>{@code queued}: a derpwatch OTLP sink behind its in-memory queue and worker ({@code export} + {@code flush});</li>
 *   <li>{@code persistent}: the same with the tape2 persistent queue (every batch written to disk synchronously).</li>
 * </ul>
 * The ratio queued/bare is the cost of the queue hand-off per batch.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 4)
@Fork(
        value = 1,
        jvmArgs = {"-Xmx256m"})
public class SinkThroughputBenchmark {
    @Param({"bare", "queued", "persistent"})
    public String variant;

    private CountingOtlpReceiver receiver;
    private MetricExporter bare;
    private SinkSet sinks;
    private Path queueDir;
    private List<MetricData> batch;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        receiver = new CountingOtlpReceiver();
        receiver.start();
        batch = BenchData.collection();
        switch (variant) {
            case "bare" ->
                bare = OtlpGrpcMetricExporter.builder()
                        .setEndpoint(receiver.endpoint())
                        .setRetryPolicy(null)
                        .build();
            case "queued" -> sinks = BenchData.otlpSink(receiver.endpoint(), "");
            case "persistent" -> {
                queueDir = Files.createTempDirectory("derpwatch-bench-queue");
                sinks = BenchData.otlpSink(
                        receiver.endpoint(), "queue.persistent { enabled = true, directory = \"" + queueDir + "\" }");
            }
            default -> throw new IllegalArgumentException(variant);
        }
    }

    @Benchmark
    public boolean exportOneBatch() {
        if (bare != null) {
            return bare.export(batch).join(10, TimeUnit.SECONDS).isSuccess();
        }
        CompletableResultCode accepted = sinks.metricExporter().export(batch);
        return accepted.isSuccess() && sinks.flush(Duration.ofSeconds(10));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (bare != null) {
            bare.shutdown().join(5, TimeUnit.SECONDS);
        }
        if (sinks != null) {
            if (sinks.stats().get(0).exported() != receiver.requests()) {
                throw new IllegalStateException("sink counted "
                        + sinks.stats().get(0).exported() + " exported, receiver saw " + receiver.requests());
            }
            sinks.shutdown(Duration.ofSeconds(5));
        }
        receiver.close();
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
