package io.derpwatch.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.derpwatch.lab.LocalApiEmulator;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code derpwatch run} as a real process: what an init system or the kubelet sees. */
class RunProcessTest {
    @TempDir
    Path dir;

    private LocalApiEmulator lab;
    private Process process;

    @BeforeEach
    void startLab() {
        lab = LocalApiEmulator.start(dir.resolve("tailscaled.sock"));
    }

    @AfterEach
    void stop() {
        if (process != null) {
            process.destroyForcibly();
        }
        lab.close();
    }

    private Process java(List<String> args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(args);
        return new ProcessBuilder(command)
                .redirectOutput(dir.resolve("stdout").toFile())
                .redirectError(dir.resolve("stderr").toFile())
                .start();
    }

    private Process derpwatch(String... args) throws Exception {
        Path conf = Files.writeString(
                dir.resolve("agent.conf"),
                "derpwatch {\n"
                        + "  localapi.socket = \"" + lab.socket() + "\"\n"
                        + "  netcheck.enabled = false\n"
                        + "  admin { host = \"127.0.0.1\", port = 0 }\n"
                        + "  status.interval = 500ms\n"
                        + "  sinks.stdout.format = text\n"
                        + "}\n");
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--config", conf.toString()));
        return java(all);
    }

    private String read(String name) throws Exception {
        File f = dir.resolve(name).toFile();
        return f.exists() ? Files.readString(f.toPath(), StandardCharsets.UTF_8) : "";
    }

    @Test
    void sigterm_stopsTheAgentCleanly_withExitCode0_afterAFinalExport() throws Exception {
        process = derpwatch("run");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> read("stdout").contains("tailscale.derp.home_connection.changed"));

        process.destroy(); // SIGTERM

        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        assertThat(read("stderr")).contains("SIGTERM received: stopping", "derpwatch stopped");
        // one line at start says what runs: sources, sinks, where the admin server listens
        assertThat(read("stderr"))
                .containsPattern("starting: sources \\[[^]]*status[^]]*\\], sinks \\[stdout\\], admin "
                        + "http://127\\.0\\.0\\.1:\\d+");
        assertThat(read("stdout")).contains("metric tailscale.derp.home_connection 1");
    }

    @Test
    void demo_showsTheHomeConnectionDropAndRecover_thenStopsCleanly() throws Exception {
        process = java(List.of("demo", "--phase", "2s"));

        // the first sample may land in either phase; what must show is a drop followed by a recovery
        String drop = "home DERP connection 1 -> 0 (derp_unreachable)";
        String recovery = "home DERP connection 0 -> 1 (connected)";
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            String out = read("stdout");
            int d = out.indexOf(drop);
            return d >= 0 && out.indexOf(recovery, d) > d;
        });
        process.destroy();

        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        String out = read("stdout");
        assertThat(out).containsPattern("home DERP connection [01] \\((connected|derp_unreachable)\\)");
        assertThat(out).contains("metric tailscale.derp.home_connection");
    }

    @Test
    void runOnce_exits0_andPrintsTheSampleOnStdout_logsOnStderr() throws Exception {
        process = derpwatch("run", "--once");

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        assertThat(read("stdout"))
                .contains("metric tailscale.derp.home_connection 1 {tailscale.derp.region.code=r3")
                .doesNotContain("derpwatch stopped");
        assertThat(read("stderr")).contains("derpwatch stopped");
    }

    @Test
    void runOnce_exits1_andNamesTheSinkAndWhy_whenTheBackendRejectsEveryBatch() throws Exception {
        try (io.derpwatch.sinks.testing.OtlpReceiver receiver = io.derpwatch.sinks.testing.OtlpReceiver.start()) {
            receiver.failNext(1_000, io.grpc.Status.INVALID_ARGUMENT, 400);
            Path conf = Files.writeString(
                    dir.resolve("rejecting.conf"),
                    "derpwatch {\n"
                            + "  localapi.socket = \"" + lab.socket() + "\"\n"
                            + "  netcheck.enabled = false\n"
                            + "  admin.enabled = false\n"
                            + "  sinks.stdout.enabled = false\n"
                            + "  sinks.backend { type = otlp, protocol = \"http/protobuf\", endpoint = \""
                            + receiver.httpEndpoint() + "\" }\n"
                            + "}\n");
            process = java(List.of("run", "--once", "--config", conf.toString()));

            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isEqualTo(1);
            assertThat(read("stderr"))
                    .containsPattern("not delivered: sink backend: \\d+ dropped \\(rejected\\)")
                    .contains("HTTP 400");
            assertThat(receiver.metrics()).isEmpty();
        }
    }

    @Test
    void sigterm_withAHungGrpcReceiver_endsWithinTheShutdownTimeoutPlusAGrace() throws Exception {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        io.grpc.Server hung = io.grpc.netty.NettyServerBuilder.forAddress(
                        new java.net.InetSocketAddress("127.0.0.1", 0))
                .addService(
                        new io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc.MetricsServiceImplBase() {
                            @Override
                            public void export(
                                    io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest request,
                                    io.grpc.stub.StreamObserver<
                                                    io.opentelemetry.proto.collector.metrics.v1
                                                            .ExportMetricsServiceResponse>
                                            response) {
                                calls.incrementAndGet(); // and never answers
                            }
                        })
                .build()
                .start();
        try {
            Path conf = Files.writeString(
                    dir.resolve("hung.conf"),
                    "derpwatch {\n"
                            + "  localapi.socket = \"" + lab.socket() + "\"\n"
                            + "  netcheck.enabled = false\n"
                            + "  admin.enabled = false\n"
                            + "  status.interval = 500ms\n"
                            + "  shutdown.timeout = 2s\n"
                            + "  sinks.stdout.enabled = false\n"
                            + "  sinks.backend { type = otlp, protocol = grpc, timeout = 30s, endpoint = "
                            + "\"http://127.0.0.1:" + hung.getPort() + "\" }\n"
                            + "}\n");
            process = java(List.of("run", "--config", conf.toString()));
            await().atMost(Duration.ofSeconds(30)).until(() -> calls.get() > 0); // a batch is in flight

            process.destroy(); // SIGTERM

            // a deadline (30 s OTLP timeout, 2 s shutdown timeout): not a speed measurement
            assertThat(process.waitFor(2 + 10, TimeUnit.SECONDS))
                    .as("exited within shutdown.timeout + grace; stderr: %s", read("stderr"))
                    .isTrue();
            assertThat(read("stderr")).contains("derpwatch stopped");
        } finally {
            hung.shutdownNow();
        }
    }
}
