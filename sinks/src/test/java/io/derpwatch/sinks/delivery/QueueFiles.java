package io.derpwatch.sinks.delivery;

import io.derpwatch.sinks.Batch;
import io.derpwatch.sinks.DeliveryException;
import io.derpwatch.sinks.PayloadEncoding;
import io.derpwatch.sinks.Signal;
import io.derpwatch.sinks.Sink;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Real tape2 queue files for the corruption tests: written by {@link FileBatchQueue} itself, then damaged at
 * a known place. Batch {@code i} has the payload {@code batch-i}; a fresh file holds element {@code i} at {@code
 * 32 + i * 29} (4 bytes of length, 18 of element header, 7 of payload), none wrapping.
 */
final class QueueFiles {
    static final int ELEMENT = 4 + 18 + 7;

    private QueueFiles() {}

    static Batch batch(int i) {
        return Batch.encoded(Signal.METRICS, null, ("batch-" + i).getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code n} batches (n <= 10, so every payload is 7 bytes) to {@code file} and closes it. */
    static void write(Path file, int n) throws IOException {
        FileBatchQueue q = new FileBatchQueue(file, 1 << 20, Clock.systemUTC());
        for (int i = 0; i < n; i++) {
            q.add(batch(i), 1000L + i);
        }
        q.close();
    }

    static long elementAt(int i) {
        return 32 + (long) i * ELEMENT;
    }

    static void putInt(Path file, long at, int value) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(at);
            raf.writeInt(value);
        }
    }

    static void flipByte(Path file, long at) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(at);
            int b = raf.read();
            raf.seek(at);
            raf.write(b ^ 0xFF);
        }
    }

    static void truncate(Path file, long length) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(length);
        }
    }

    /** The payloads of what the queue holds now, oldest first (drains it). */
    static List<String> drain(FileBatchQueue q) throws IOException {
        List<String> out = new java.util.ArrayList<>();
        for (Batch b = q.peek(); b != null; b = q.peek()) {
            out.add(new String(b.payload(), StandardCharsets.UTF_8));
            q.removeHead();
        }
        return out;
    }

    static DeliverySettings persistentIn(Path dir) {
        return new DeliverySettings(
                100,
                1 << 20,
                false,
                true,
                dir,
                1 << 20,
                Duration.ofMillis(20),
                Duration.ofMillis(200),
                Duration.ofHours(1));
    }

    /** An OTLP-encoding sink that records the payloads it was sent. */
    static final class RecordingSink implements Sink {
        final List<String> sent = new CopyOnWriteArrayList<>();
        private final String name;

        RecordingSink(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public PayloadEncoding encoding() {
            return PayloadEncoding.OTLP_PROTO;
        }

        @Override
        public void send(Batch batch) throws DeliveryException {
            sent.add(new String(batch.payload(), StandardCharsets.UTF_8));
        }
    }
}
