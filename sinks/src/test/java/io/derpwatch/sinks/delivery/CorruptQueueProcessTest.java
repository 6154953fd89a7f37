package io.derpwatch.sinks.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash loop of issue 9: a queue file whose element length is {@code 0x7FFFFFF0} made every start of a
 * 48 MiB-heap agent die with OutOfMemoryError (exit 1), and the file stayed. Now the first start heals it and
 * delivers what was intact, and the next start finds a clean file.
 */
class CorruptQueueProcessTest {
    @TempDir
    Path dir;

    private String start() throws Exception {
        Process p = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx48m",
                        "-XX:+UseSerialGC",
                        "-cp",
                        System.getProperty("java.class.path"),
                        QueueOpenMain.class.getName(),
                        dir.toString()))
                .redirectError(dir.resolve("stderr").toFile())
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue())
                .as("exit value; stderr: %s", Files.readString(dir.resolve("stderr")))
                .isZero();
        return out;
    }

    @Test
    void hugeElementLength_doesNotCrashTheStart_theFirstStartHealsTheFile_theNextFindsItClean() throws Exception {
        QueueFiles.write(dir.resolve("s.queue"), 10);
        QueueFiles.putInt(dir.resolve("s.queue"), QueueFiles.elementAt(4), 0x7FFFFFF0);

        assertThat(start()).isEqualTo("OPENED recovered=10 exported=5 corrupt=1 lost=5");
        assertThat(start()).isEqualTo("OPENED recovered=0 exported=0 corrupt=0 lost=0");
    }
}
