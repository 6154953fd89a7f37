package io.derpwatch.sinks.delivery;

import com.squareup.tape2.QueueFile;
import io.derpwatch.sinks.Batch;
import io.derpwatch.sinks.Signal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batches kept in a Square tape2 {@link QueueFile} ({@code <directory>/<sink>.queue}). tape2 writes each element
 * with a synchronous, crash-safe update of its header, so a batch that {@link #add} returned for survives SIGKILL
 * and power loss. Element layout: version byte (1), signal ordinal byte, key length (int, -1 for none), key
 * (UTF-8), payload. A file that cannot be read is renamed to {@code <sink>.queue.corrupt-<time>}, reported, and
 * replaced by an empty one.
 */
final class FileBatchQueue implements BatchQueue {
    private static final Logger LOG = LoggerFactory.getLogger(FileBatchQueue.class);
    private static final byte VERSION = 1;
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

    private final Path file;
    private final long maxBytes;
    private final java.nio.channels.FileChannel lockChannel;
    private final java.nio.channels.FileLock lock;
    private QueueFile queue;
    private long bytes;
    private int recovered;
    private int corruptFiles;

    FileBatchQueue(Path file, long maxBytes) throws IOException {
        this.file = file;
        this.maxBytes = maxBytes;
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        lockChannel = java.nio.channels.FileChannel.open(
                lockFile, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
        java.nio.channels.FileLock acquired;
        try {
            acquired = lockChannel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            acquired = null;
        }
        if (acquired == null) {
            lockChannel.close();
            throw new IOException("queue file " + file + " is in use by another derpwatch process (" + lockFile
                    + " is locked); give each agent its own queue directory");
        }
        lock = acquired;
        open();
        recovered = queue.size();
    }

    private void open() throws IOException {
        try {
            queue = new QueueFile.Builder(file.toFile()).build();
            long total = 0;
            for (byte[] element : queue) {
                total += decode(element).size();
            }
            bytes = total;
        } catch (IOException | RuntimeException e) {
            setAside(e);
            queue = new QueueFile.Builder(file.toFile()).build();
            bytes = 0;
        }
    }

    private void setAside(Exception cause) throws IOException {
        if (queue != null) {
            try {
                queue.close();
            } catch (IOException ignored) {
                // the file is being set aside anyway
            }
            queue = null;
        }
        Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + STAMP.format(Instant.now()));
        Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
        corruptFiles++;
        LOG.error(
                "persistent queue file {} is corrupt ({}); moved it to {} and started an empty queue",
                file,
                cause.toString(),
                aside);
    }

    /** Batches found in the file when it was opened. */
    int recovered() {
        return recovered;
    }

    int corruptFiles() {
        return corruptFiles;
    }

    Path file() {
        return file;
    }

    @Override
    public void add(Batch batch) throws IOException {
        byte[] element = encode(batch);
        queue.add(element);
        bytes += batch.size();
    }

    @Override
    public Batch peek() throws IOException {
        byte[] element = queue.peek();
        return element == null ? null : decode(element);
    }

    @Override
    public void removeHead() throws IOException {
        byte[] element = queue.peek();
        if (element != null) {
            bytes -= decode(element).size();
            queue.remove();
        }
    }

    @Override
    public int size() {
        return queue.size();
    }

    @Override
    public long bytes() {
        return bytes;
    }

    @Override
    public long maxBytes() {
        return maxBytes;
    }

    /** Sets the current file aside after a read failure; returns how many batches it still listed. */
    @Override
    public int discardAll() {
        int lost = queue == null ? 0 : queue.size();
        try {
            setAside(new IOException("unreadable element"));
            queue = new QueueFile.Builder(file.toFile()).build();
        } catch (IOException e) {
            throw new IllegalStateException("cannot replace corrupt queue file " + file, e);
        }
        bytes = 0;
        return lost;
    }

    @Override
    public void close() {
        try {
            queue.close();
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn("closing persistent queue {} failed: {}", file, e.toString());
        }
    }

    static byte[] encode(Batch batch) {
        byte[] key = batch.key() == null ? null : batch.key().getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(2 + 4 + (key == null ? 0 : key.length) + batch.payload().length);
        buf.put(VERSION).put((byte) batch.signal().ordinal()).putInt(key == null ? -1 : key.length);
        if (key != null) {
            buf.put(key);
        }
        buf.put(batch.payload());
        return buf.array();
    }

    static Batch decode(byte[] element) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(element);
        if (element.length < 6 || buf.get() != VERSION) {
            throw new IOException("unknown queue element format");
        }
        int signal = buf.get();
        if (signal < 0 || signal >= Signal.values().length) {
            throw new IOException("unknown signal " + signal + " in queue element");
        }
        int keyLength = buf.getInt();
        if (keyLength < -1 || keyLength > buf.remaining()) {
            throw new IOException("bad key length " + keyLength + " in queue element");
        }
        String key = null;
        if (keyLength >= 0) {
            byte[] k = new byte[keyLength];
            buf.get(k);
            key = new String(k, StandardCharsets.UTF_8);
        }
        byte[] payload = new byte[buf.remaining()];
        buf.get(payload);
        return Batch.encoded(Signal.values()[signal], key, payload);
    }
}
