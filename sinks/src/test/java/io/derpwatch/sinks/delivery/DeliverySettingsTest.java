package io.derpwatch.sinks.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.sinks.testing.TestSinks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeliverySettingsTest {
    @TempDir
    Path dir;

    @Test
    void persistentQueueDirectory_thatCannotBeWritten_isAConfigProblem() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        assertThat(TestSinks.problems(TestSinks.settings(
                        "c",
                        "otlp",
                        "queue.persistent { enabled = true, " + "directory = \"" + file.resolve("queue") + "\" }")))
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.path()).isEqualTo("derpwatch.sinks.c.queue.persistent.directory");
                    assertThat(p.problem()).contains("is not a writable directory");
                });
    }

    @Test
    void retryMaxShorterThanInitial_isAConfigProblem() {
        assertThat(TestSinks.problems(TestSinks.settings("c", "otlp", "retry { initial = 10s, max = 1s }")))
                .singleElement()
                .satisfies(p -> assertThat(p.path()).isEqualTo("derpwatch.sinks.c.retry.max"));
    }

    @Test
    void backoff_growsExponentially_withJitter_andIsCapped() {
        RetryPolicy policy = new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofHours(1));
        for (int attempt = 0; attempt < 8; attempt++) {
            long expected = Math.min(100L << attempt, 2000) * 1_000_000L;
            for (int i = 0; i < 50; i++) {
                assertThat(policy.backoffNanos(attempt)).isBetween(expected / 2, expected);
            }
        }
    }

    @Test
    void workerRestarts_areSpacedByTheSameCurve_withoutJitter() {
        RetryPolicy policy = new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofHours(1));

        assertThat(policy.restartDelayNanos(1)).isEqualTo(100_000_000L);
        assertThat(policy.restartDelayNanos(2)).isEqualTo(200_000_000L);
        assertThat(policy.restartDelayNanos(10)).isEqualTo(2_000_000_000L);
    }
}
