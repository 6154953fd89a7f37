package io.derpwatch.sinks.delivery;

import static io.derpwatch.sinks.testing.TestData.SEQ;
import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.sinks.testing.OtlpReceiver;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A process that accepted batches while the receiver was down is killed with SIGKILL; its successor delivers them. */
class PersistentQueueKillTest {
    @TempDir
    Path dir;

    private static Process java(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                QueueFeederMain.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    @Test
    void sigkillWhileTheReceiverIsDown_theRestartedProcessDeliversTheBacklog() throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.start()) {
            receiver.stopServers();
            Process feeder = java("feed", receiver.grpcEndpoint(), dir.toString(), "5");
            List<String> lines = new ArrayList<>();
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(feeder.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while (lines.size() < 5 && (line = out.readLine()) != null) {
                    lines.add(line);
                }
                assertThat(lines).containsExactly("ACCEPTED 0", "ACCEPTED 1", "ACCEPTED 2", "ACCEPTED 3", "ACCEPTED 4");
                feeder.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no flush
                assertThat(feeder.waitFor(10, TimeUnit.SECONDS)).isTrue();
                assertThat(feeder.exitValue()).isEqualTo(137);
            }
            assertThat(dir.resolve("killed.queue")).exists();
            assertThat(receiver.metrics()).isEmpty();

            receiver.startServers();
            Process successor = java("drain", receiver.grpcEndpoint(), dir.toString());
            String result;
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(successor.getInputStream(), StandardCharsets.UTF_8))) {
                result = out.readLine();
            }
            assertThat(successor.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(result).isEqualTo("DRAINED recovered=5 exported=5 queued=0");
            assertThat(receiver.metricPointAttribute(SEQ)).containsExactly("0", "1", "2", "3", "4");
        }
    }
}
