package io.derpwatch.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.derpwatch.lab.LocalApiEmulator;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, defect 2, at the process level: a status answer inside the body cap that runs the codec out of memory
 * under the launcher's 48 MiB heap used to wedge the status source for good (the error swallowed in a
 * {@code CompletableFuture} stage, nothing logged or counted). Now the supervisor counts it and the source goes
 * on sampling, and recovers when tailscaled answers sanely again.
 */
class SupervisedSourceProcessTest {
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

    @Test
    void statusDocumentThatRunsTheCodecOutOfMemory_isCounted_andTheSourceKeepsSampling() throws Exception {
        process = derpwatch();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> read("stdout").contains("home DERP connection 1 (connected)"));

        lab.serveStatusDocument(hugeRelayDocument(7 * 1024 * 1024));
        await().atMost(Duration.ofSeconds(60)).until(() -> read("stderr").contains("OutOfMemoryError"));
        int afterOom = lab.requestCount();

        await().atMost(Duration.ofSeconds(60)).until(() -> lab.requestCount() >= afterOom + 3);
        assertThat(process.isAlive()).isTrue();
        assertThat(read("stdout")).contains("error.type=vm_error");

        lab.serveStatusDocument(null);
        lab.update(s -> s.withRelay("r7")); // a change the source can only report if it still samples
        await().atMost(Duration.ofSeconds(60))
                .until(() -> read("stdout").contains("tailscale.derp.home_region.changed"));
    }

    /** A status document within the 8 MiB body cap whose {@code Self.Relay} alone is {@code size} characters. */
    private static byte[] hugeRelayDocument(int size) {
        StringBuilder b = new StringBuilder(size + 200);
        b.append("{\"Version\":\"1.80.0\",\"BackendState\":\"Running\",\"Health\":[],\"Self\":{\"Relay\":\"");
        b.append("x".repeat(size));
        b.append("\"}}");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private Process derpwatch() throws Exception {
        Path conf = Files.writeString(
                dir.resolve("agent.conf"),
                "derpwatch {\n"
                        + "  localapi.socket = \"" + lab.socket() + "\"\n"
                        + "  netcheck.enabled = false\n"
                        + "  admin.enabled = false\n"
                        + "  status.interval = 300ms\n"
                        // the codec's string cap would refuse the huge Relay before it costs memory; lifted here so
                        // the sample really runs out of heap and supervision is what is tested
                        + "  localapi.limits.max-string-length = 100000000\n"
                        + "  telemetry.export-interval = 1s\n"
                        + "  sinks.stdout.format = text\n"
                        + "}\n");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // the launcher's heap and collector (./derpwatch)
                "-XX:+UseSerialGC",
                "-Xmx48m",
                "-Xss256k",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "run",
                "--config",
                conf.toString()));
        return new ProcessBuilder(command)
                .redirectOutput(dir.resolve("stdout").toFile())
                .redirectError(dir.resolve("stderr").toFile())
                .start();
    }

    private String read(String name) throws Exception {
        File f = dir.resolve(name).toFile();
        return f.exists() ? Files.readString(f.toPath(), StandardCharsets.UTF_8) : "";
    }
}
