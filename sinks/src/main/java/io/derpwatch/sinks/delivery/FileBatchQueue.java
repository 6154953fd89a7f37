package io.derpwatch.sinks.delivery;

import com.squareup.tape2.QueueFile;
import io.derpwatch.sinks.Batch;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batches kept in a Square tape2 {@link QueueFile} ({@code <directory>/<sink>.queue}, mode 0600 in a directory
 * this process creates 0700). tape2 writes each element with a synchronous, crash-safe update of its header, so a
 * batch that {@link #add} returned for survives SIGKILL and power loss.
 *
 * <p>Elements are {@link QueueElementCodec}'s (with a CRC, so a damaged payload is found). Before tape2 sees a file, {@link QueueFileScan} checks it; a damaged file is set aside as {@code
 * <sink>.queue.corrupt-<time>} and replaced by a file holding every element that could be salvaged; the lost
 * ones are reported ({@link #lostAtOpen()}, counted as {@code dropped{reason=queue_corrupt}}).
 */
final class FileBatchQueue implements BatchQueue {
    private static final Logger LOG = LoggerFactory.getLogger(FileBatchQueue.class);
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

    private final Path file;
    private final long maxBytes;
    private final Clock clock;
    private final long openedAtMillis;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private QueueFile queue;
    private long bytes;
    private int recovered;
    private int lostAtOpen;
    private int corruptFiles;
    private long headAcceptedAt = -1;

    FileBatchQueue(Path file, long maxBytes, Clock clock) throws IOException {
        this.file = file;
        this.maxBytes = maxBytes;
        this.clock = clock;
        this.openedAtMillis = clock.millis();
        QueueFilePermissions.createDirectories(file.toAbsolutePath().getParent());
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        QueueFilePermissions.ownerOnly(lockFile);
        FileLock acquired;
        try {
            acquired = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            acquired = null;
        }
        if (acquired == null) {
            lockChannel.close();
            throw new IOException("queue file " + file + " is in use by another derpwatch process (" + lockFile
                    + " is locked); give each agent its own queue directory");
        }
        lock = acquired;
        try {
            this.queue = open();
        } catch (IOException | RuntimeException e) {
            lock.release();
            lockChannel.close();
            throw e;
        }
    }

    /** Checks the file, heals it if needed, and opens it with tape2; never throws for a damaged file. */
    private QueueFile open() throws IOException {
        long maxElement = Math.max(1 << 20, Runtime.getRuntime().maxMemory() / 4);
        QueueFileScan.Result scan = null;
        if (Files.exists(file)) {
            try {
                scan = QueueFileScan.scan(file, maxElement, QueueElementCodec::valid, null);
            } catch (IOException | RuntimeException | OutOfMemoryError e) {
                scan = new QueueFileScan.Result(false, 0, 0, true, "unreadable: " + e);
            }
            if (!scan.intact()) {
                try {
                    heal(scan, maxElement);
                } catch (IOException | RuntimeException | OutOfMemoryError e) {
                    setAside(scan.lost(), "could not salvage (" + scan.damage() + "): " + e);
                }
            }
        }
        try {
            return readAll(build(file));
        } catch (IOException | RuntimeException e) {
            // tape2 refused what the scan accepted: set it aside rather than fail the start
            setAside(scan == null ? 0 : scan.salvaged(), "tape2 could not open it: " + e);
            return readAll(build(file));
        }
    }

    private QueueFile readAll(QueueFile q) throws IOException {
        long total = 0;
        int n = 0;
        for (byte[] element : q) { // every element was validated by the scan (or written by the heal)
            total += QueueElementCodec.decode(element).size();
            n++;
        }
        bytes = total;
        recovered = n;
        return q;
    }

    /** The last resort: the whole file aside, an empty queue in its place, {@code lost} batches counted. */
    private void setAside(int lost, String why) throws IOException {
        Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".salvage"));
        Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + STAMP.format(clock.instant()));
        if (Files.exists(file)) {
            Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
        }
        corruptFiles++;
        lostAtOpen += lost;
        LOG.error(
                "persistent queue file {} is corrupt ({}); moved it to {} and started an empty queue, about {} "
                        + "batches lost (counted as dropped{reason=queue_corrupt})",
                file,
                why,
                aside,
                lost);
    }

    private static QueueFile build(Path path) throws IOException {
        QueueFile q = new QueueFile.Builder(path.toFile()).build();
        QueueFilePermissions.ownerOnly(path);
        return q;
    }

    /** Copies the intact elements into a new file, sets the damaged one aside, and puts the new one in place. */
    private void heal(QueueFileScan.Result first, long maxElement) throws IOException {
        Path salvage = file.resolveSibling(file.getFileName() + ".salvage");
        Files.deleteIfExists(salvage);
        QueueFileScan.Result result = first;
        try (QueueFile into = build(salvage)) {
            if (first.damage() != null && !first.damage().startsWith("unreadable")) {
                result = QueueFileScan.scan(file, maxElement, QueueElementCodec::valid, into::add);
            }
        }
        Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + STAMP.format(clock.instant()));
        Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
        QueueFilePermissions.ownerOnly(aside);
        Files.move(salvage, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        corruptFiles++;
        lostAtOpen += result.lost();
        LOG.error(
                "persistent queue file {} is corrupt ({}): kept {} intact batches, lost {}{} (counted as "
                        + "dropped{reason=queue_corrupt}); the damaged file is kept as {}",
                file,
                result.damage(),
                result.salvaged(),
                result.estimated() ? "about " : "",
                result.lost(),
                aside);
    }

    /** Batches found intact in the file when it was opened. */
    int recovered() {
        return recovered;
    }

    /** Batches the file held when it was opened that could not be salvaged (estimated where the damage hides it). */
    int lostAtOpen() {
        return lostAtOpen;
    }

    int corruptFiles() {
        return corruptFiles;
    }

    Path file() {
        return file;
    }

    @Override
    public void add(Batch batch, long acceptedAtMillis) throws IOException {
        queue.add(QueueElementCodec.encode(batch, acceptedAtMillis));
        bytes += batch.size();
        if (queue.size() == 1) {
            headAcceptedAt = acceptedAtMillis;
        }
    }

    @Override
    public @Nullable Batch peek() throws IOException {
        byte[] element = queue.peek();
        if (element == null) {
            return null;
        }
        headAcceptedAt = QueueElementCodec.acceptedAt(element, openedAtMillis);
        return QueueElementCodec.decode(element);
    }

    @Override
    public long headAcceptedAtMillis() throws IOException {
        if (queue.isEmpty()) {
            return -1;
        }
        if (headAcceptedAt < 0) {
            byte[] element = queue.peek();
            headAcceptedAt = element == null ? -1 : QueueElementCodec.acceptedAt(element, openedAtMillis);
        }
        return headAcceptedAt;
    }

    @Override
    public void removeHead() throws IOException {
        byte[] element = queue.peek();
        if (element != null) {
            bytes -= QueueElementCodec.decode(element).size();
            queue.remove();
            headAcceptedAt = -1;
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

    /** Sets the current file aside after a read failure at run time; returns how many batches it still listed. */
    @Override
    public int discardAll() {
        int lost = queue.size();
        try {
            queue.close();
            Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + STAMP.format(clock.instant()));
            Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            corruptFiles++;
            queue = build(file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot replace corrupt queue file " + file, e);
        }
        bytes = 0;
        headAcceptedAt = -1;
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
}
