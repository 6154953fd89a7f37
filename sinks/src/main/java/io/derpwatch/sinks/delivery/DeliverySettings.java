package io.derpwatch.sinks.delivery;

import io.derpwatch.config.SettingsReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The delivery settings every sink shares ({@code derpwatch.sink-defaults.queue / retry}, overridable per sink).
 *
 * @param maxBatches         most batches waiting in the queue (memory or disk)
 * @param maxBytes           most encoded bytes waiting in the in-memory queue
 * @param dropNewest         when full, refuse the new batch instead of dropping the oldest
 * @param persistent         keep the queue in a file that survives a crash
 * @param directory          where the queue files live ({@code <sink-name>.queue})
 * @param persistentMaxBytes most encoded bytes waiting in the persistent queue
 * @param retryInitial       first backoff after a retryable failure
 * @param retryMax           longest backoff
 * @param retryMaxElapsed    how long one batch may be retried before it is dropped ({@code retry_exhausted})
 */
public record DeliverySettings(
        int maxBatches,
        long maxBytes,
        boolean dropNewest,
        boolean persistent,
        Path directory,
        long persistentMaxBytes,
        Duration retryInitial,
        Duration retryMax,
        Duration retryMaxElapsed) {

    /** The reference.conf defaults, for callers without a config (tests, tools). */
    public static DeliverySettings defaults() {
        return new DeliverySettings(
                2000,
                16L << 20,
                false,
                false,
                Path.of("/var/lib/derpwatch/queue"),
                256L << 20,
                Duration.ofSeconds(1),
                Duration.ofSeconds(30),
                Duration.ofHours(1));
    }

    /** Checked without creating anything, so {@code derpwatch validate} has no side effects. */
    private static boolean writableOrCreatable(Path dir) {
        Path p = dir.toAbsolutePath();
        while (p != null && !java.nio.file.Files.exists(p)) {
            p = p.getParent();
        }
        return p != null && java.nio.file.Files.isDirectory(p) && java.nio.file.Files.isWritable(p);
    }

    public static DeliverySettings read(SettingsReader sink) {
        SettingsReader queue = sink.child("queue");
        SettingsReader persistentQueue = queue.child("persistent");
        SettingsReader retry = sink.child("retry");
        int maxBatches = queue.integer("max-batches", 1, 10_000_000);
        long maxBytes = queue.bytes("max-bytes", 1024);
        String whenFull = queue.oneOf("when-full", List.of("drop-oldest", "drop-newest"));
        boolean persistent = persistentQueue.bool("enabled");
        String directory = persistentQueue.string("directory");
        if (persistent && directory.isBlank()) {
            persistentQueue.problem(
                    "directory",
                    "empty (expected a writable directory for the queue file, e.g. "
                            + "directory = \"/var/lib/derpwatch/queue\")");
        }
        if (persistent && !directory.isBlank() && !writableOrCreatable(Path.of(directory))) {
            persistentQueue.problem(
                    "directory",
                    "\"" + directory + "\" is not a writable directory (expected a "
                            + "directory the agent can write, e.g. a hostPath or PVC volume mounted there)");
        }
        long persistentMaxBytes = persistentQueue.bytes("max-bytes", 4096);
        Duration initial = retry.duration("initial", Duration.ofMillis(10));
        Duration max = retry.duration("max", Duration.ofMillis(10));
        Duration maxElapsed = retry.duration("max-elapsed", Duration.ofMillis(100));
        if (max.compareTo(initial) < 0) {
            retry.problem(
                    "max",
                    "retry.max (" + max + ") is shorter than retry.initial (" + initial
                            + ") (expected max >= initial)");
        }
        return new DeliverySettings(
                maxBatches,
                maxBytes,
                "drop-newest".equals(whenFull),
                persistent,
                Path.of(directory.isBlank() ? "." : directory),
                persistentMaxBytes,
                initial,
                max,
                maxElapsed);
    }
}
