package io.derpwatch.sinks.delivery;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Reads a Square tape2 queue file with no trust in it, before tape2 opens it (tape2 trusts the file: an element
 * length of {@code 0x7FFFFFF0} makes its iterator allocate 2 GiB). The layout (tape2 2.0, "versioned" header):
 * a 32-byte header {@code int 0x80000001, long fileLength, int elementCount, long firstPosition, long
 * lastPosition}, then a ring of elements from {@code firstPosition} to {@code lastPosition}, each an {@code int}
 * length and that many bytes, wrapping from {@code fileLength} back to byte 32.
 *
 * <p>The scan walks the ring from the first element, checks every length against the ring and every element
 * with {@link #valid} (our element format, CRC included), and hands each intact element to a consumer. What it
 * can salvage: every element before a damaged length; after it only the last element (its position is in the
 * header; the ones between cannot be found without their lengths); every element around a damaged payload
 * (its length still leads to the next). What it cannot count exactly (the elements lost behind a damaged
 * length, or behind a truncation) it estimates from the header's element count.
 */
final class QueueFileScan {
    static final int HEADER_LENGTH = 32;
    private static final int VERSIONED_HEADER = 0x80000001;
    private static final int ELEMENT_HEADER = 4;

    /** Takes the intact elements of a damaged file. */
    @FunctionalInterface
    interface Salvage {
        void accept(byte[] element) throws IOException;
    }

    /** Validates one element's bytes (the element format is the queue's business, not the scan's). */
    @FunctionalInterface
    interface ElementCheck {
        boolean valid(byte[] element);
    }

    /**
     * What the scan found.
     *
     * @param intact    the file is exactly what tape2 wrote: open it as it is
     * @param salvaged  intact elements handed to the consumer (in queue order)
     * @param lost      elements that could not be salvaged (exact, or estimated from the header's count)
     * @param estimated true when {@code lost} is an estimate
     * @param damage    what was wrong (null when intact)
     */
    record Result(
            boolean intact,
            int salvaged,
            int lost,
            boolean estimated,
            @Nullable String damage) {}

    private final RandomAccessFile file;
    private final long actualLength;
    private final long maxElement;
    private long fileLength;

    private QueueFileScan(RandomAccessFile file, long maxElement) throws IOException {
        this.file = file;
        this.actualLength = file.length();
        this.maxElement = maxElement;
    }

    /**
     * Scans {@code path}, holding one element in memory at a time, and hands each intact element to {@code
     * salvage} (null: only check; call again with a consumer when the file is damaged). Elements longer than
     * {@code maxElement} count as damage.
     */
    static Result scan(Path path, long maxElement, ElementCheck check, @Nullable Salvage salvage) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "r")) {
            return new QueueFileScan(raf, maxElement).run(check, salvage);
        }
    }

    private Result run(ElementCheck check, @Nullable Salvage salvage) throws IOException {
        if (actualLength < HEADER_LENGTH) {
            return new Result(false, 0, 0, true, "file of " + actualLength + " bytes is shorter than the header");
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH);
        file.seek(0);
        file.readFully(header.array());
        int version = header.getInt(0);
        fileLength = header.getLong(4);
        int count = header.getInt(12);
        long first = header.getLong(16);
        long last = header.getLong(24);
        int estimate = Math.max(0, count);
        @Nullable String damage = null;
        if (version != VERSIONED_HEADER) {
            damage = "unknown header version 0x" + Integer.toHexString(version);
        }
        if (fileLength <= HEADER_LENGTH || count < 0) {
            return new Result(
                    false, 0, estimate, true, "header is invalid (length " + fileLength + ", count " + count + ")");
        }
        if (actualLength < fileLength) {
            damage = "truncated: " + actualLength + " of " + fileLength + " bytes";
        }
        if (count == 0 && first == 0 && last == 0) {
            return damage == null ? new Result(true, 0, 0, false, null) : new Result(false, 0, 0, false, damage);
        }
        if (!inRing(first) || !inRing(last)) {
            return new Result(
                    false, 0, estimate, true, "element positions out of the file (" + first + ", " + last + ")");
        }
        // walk first -> last; a ring of n bytes holds at most n / 5 elements, so the walk ends
        long maxSteps = (fileLength - HEADER_LENGTH) / (ELEMENT_HEADER + 1) + 1;
        int good = 0;
        int badPayloads = 0;
        long pos = first;
        boolean reachedLast = false;
        @Nullable String walkDamage = null;
        for (long step = 0; step < maxSteps; step++) {
            Element e = read(pos);
            if (e.length < 0) {
                walkDamage = e.problem;
                break;
            }
            if (e.bytes != null && check.valid(e.bytes)) {
                good++;
                if (salvage != null) {
                    salvage.accept(e.bytes);
                }
            } else {
                badPayloads++;
                walkDamage = walkDamage == null ? "element at " + pos + " is not a valid batch" : walkDamage;
            }
            if (pos == last) {
                reachedLast = true;
                break;
            }
            pos = wrap(pos + ELEMENT_HEADER + e.length);
        }
        if (!reachedLast && walkDamage == null) {
            walkDamage = "the walk from the first element never reached the last one";
        }
        if (damage == null && walkDamage == null && good == count) {
            return new Result(true, good, 0, false, null);
        }
        if (damage == null) {
            damage = walkDamage != null ? walkDamage : "header counts " + count + " elements, the file holds " + good;
        }
        int salvaged = good;
        if (reachedLast) {
            // every element was found: what is lost is exactly the damaged payloads
            return new Result(false, salvaged, badPayloads, false, damage);
        }
        // the walk broke: the last element (its position is in the header) may still be intact
        if (last != pos) {
            Element tail = read(last);
            if (tail.length >= 0 && tail.bytes != null && check.valid(tail.bytes)) {
                if (salvage != null) {
                    salvage.accept(tail.bytes);
                }
                salvaged++;
            }
        }
        return new Result(false, salvaged, Math.max(badPayloads + 1, estimate - salvaged), true, damage);
    }

    private record Element(
            int length, byte @Nullable [] bytes, @Nullable String problem) {}

    private Element read(long pos) throws IOException {
        if (pos + ELEMENT_HEADER > actualLength && pos + ELEMENT_HEADER <= fileLength) {
            return new Element(-1, null, "element at " + pos + " lies beyond the end of the truncated file");
        }
        byte[] len = new byte[ELEMENT_HEADER];
        if (!ringRead(pos, len)) {
            return new Element(-1, null, "element at " + pos + " lies beyond the end of the truncated file");
        }
        int length = ByteBuffer.wrap(len).getInt();
        if (length <= 0 || length > fileLength - HEADER_LENGTH - ELEMENT_HEADER || length > maxElement) {
            return new Element(-1, null, "element at " + pos + " has an impossible length " + length);
        }
        byte[] bytes = new byte[length];
        if (!ringRead(wrap(pos + ELEMENT_HEADER), bytes)) {
            return new Element(-1, null, "element at " + pos + " lies beyond the end of the truncated file");
        }
        return new Element(length, bytes, null);
    }

    private boolean inRing(long p) {
        return p >= HEADER_LENGTH && p < fileLength;
    }

    private long wrap(long p) {
        return p < fileLength ? p : HEADER_LENGTH + p - fileLength;
    }

    /** Reads {@code into.length} bytes at ring position {@code pos}; false when the file ends first. */
    private boolean ringRead(long pos, byte[] into) throws IOException {
        long p = wrap(pos);
        int n = into.length;
        if (p + n <= fileLength) {
            return readAt(p, into, 0, n);
        }
        int before = (int) (fileLength - p);
        return readAt(p, into, 0, before) && readAt(HEADER_LENGTH, into, before, n - before);
    }

    private boolean readAt(long p, byte[] into, int off, int n) throws IOException {
        if (p + n > actualLength) {
            return false;
        }
        file.seek(p);
        file.readFully(into, off, n);
        return true;
    }
}
