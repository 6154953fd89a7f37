package io.derpwatch.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.derpwatch.lab.LocalApiEmulator;
import io.derpwatch.sinks.testing.OtlpReceiver;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent process killed with SIGKILL while its OTLP backend is down, persistent queue on: the restarted
 * agent delivers what the killed one had accepted.
 */
class PersistentQueueProcessTest {
    @TempDir
    Path dir;

    private LocalApiEmulator lab;
    private OtlpReceiver receiver;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        lab = LocalApiEmulator.start(dir.resolve("tailscaled.sock"));
        receiver = OtlpReceiver.start();
    }

    @AfterEach
    void stop() throws Exception {
        processes.forEach(Process::destroyForcibly);
        receiver.close();
        lab.close();
    }

    private Process agent(Path conf, String log) throws Exception {
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName(),
                        "run",
                        "--config",
                        conf.toString())
                .redirectOutput(dir.resolve(log + ".out").toFile())
                .redirectError(dir.resolve(log + ".err").toFile())
                .start();
        processes.add(p);
        return p;
    }

    /**
     * The earliest data point time (ns) among the metric requests the receiver got, or Long.MAX_VALUE. Every
     * export carries at least the sink self-metrics, so a point older than the kill proves that a batch of the
     * killed agent arrived.
     */
    private long earliestPoint() {
        long earliest = Long.MAX_VALUE;
        for (ExportMetricsServiceRequest r : receiver.metrics()) {
            for (var rm : r.getResourceMetricsList()) {
                for (var sm : rm.getScopeMetricsList()) {
                    for (var m : sm.getMetricsList()) {
                        for (var p : m.getGauge().getDataPointsList()) {
                            earliest = Math.min(earliest, p.getTimeUnixNano());
                        }
                        for (var p : m.getSum().getDataPointsList()) {
                            earliest = Math.min(earliest, p.getTimeUnixNano());
                        }
                    }
                }
            }
        }
        return earliest;
    }

    @Test
    void sigkill_whileTheBackendIsDown_theRestartedAgentDeliversTheBacklog() throws Exception {
        Path queueDir = dir.resolve("queue");
        Path conf = Files.writeString(
                dir.resolve("agent.conf"),
                "derpwatch {\n"
                        + "  localapi.socket = \"" + lab.socket() + "\"\n"
                        + "  netcheck.enabled = false\n"
                        + "  admin.enabled = false\n"
                        + "  status.interval = 200ms\n"
                        + "  telemetry.export-interval = 300ms\n"
                        + "  sinks {\n"
                        + "    stdout.enabled = false\n"
                        + "    backend {\n"
                        + "      type = otlp\n"
                        + "      protocol = grpc\n"
                        + "      endpoint = \"" + receiver.grpcEndpoint() + "\"\n"
                        + "      retry { initial = 100ms, max = 300ms }\n"
                        + "      queue.persistent { enabled = true, directory = \"" + queueDir + "\" }\n"
                        + "    }\n"
                        + "  }\n"
                        + "}\n");
        receiver.stopServers();

        Process first = agent(conf, "first");
        File queueFile = queueDir.resolve("backend.queue").toFile();
        // tape2 starts a queue file at 4 KiB; it grows once several metric batches wait in it
        await().atMost(Duration.ofSeconds(60)).until(() -> queueFile.length() > 4096);
        first.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).isEqualTo(137);
        long killedAt = System.currentTimeMillis() * 1_000_000L;
        assertThat(receiver.metrics()).isEmpty();

        receiver.startServers();
        Process second = agent(conf, "second");

        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> earliestPoint() < killedAt);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(
                    "backlog not delivered; receiver has " + receiver.metrics().size()
                            + " metric requests; first agent's stderr:\n" + Files.readString(dir.resolve("first.err"))
                            + "\nsecond agent's stderr:\n" + Files.readString(dir.resolve("second.err")),
                    e);
        }
        assertThat(Files.readString(dir.resolve("second.err"), StandardCharsets.UTF_8))
                .contains("batches left by an earlier run");
        second.destroy();
        assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(second.exitValue()).isZero();
    }
}
