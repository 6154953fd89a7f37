package io.derpwatch.agent.logs;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Follows a log file the way {@code tail -F} does, one {@link #poll()} at a time: each poll reads what was
 * appended since the last one (at most {@code maxBytesPerPoll}) and returns the complete lines, never waiting.
 * It follows the file across rotation (the path now names another file: the old one is read to its end first,
 * then the new one from its start) and truncation (the file got shorter: read again from the start). It starts
 * at the end of the file by default. A last line without its newline is returned once it has not grown for
 * {@code partialLineFlush} on the injected clock; lines longer than {@code maxLineLength} are cut (and counted).
 * The poll does file I/O: the caller runs it off the event loop (a file executor), on its own schedule.
 */
public final class LogFileFollower implements Closeable {
    private final Path file;
    private final boolean fromEnd;
    private final int maxLineLength;
    private final int maxBytesPerPoll;
    private final Duration partialLineFlush;
    private final Clock clock;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private @Nullable FileChannel channel;
    private @Nullable Object fileKey;
    private long position;
    private boolean firstOpen = true;
    private Instant partialSince = Instant.MIN;
    private long linesCut;
    private long rotations;
    private long truncations;
    private boolean cut;

    public LogFileFollower(
            Path file,
            boolean fromEnd,
            int maxLineLength,
            int maxBytesPerPoll,
            Duration partialLineFlush,
            Clock clock) {
        this.file = Objects.requireNonNull(file);
        this.fromEnd = fromEnd;
        if (maxLineLength < 1 || maxBytesPerPoll < 1) {
            throw new IllegalArgumentException("max line length and bytes per poll must be positive");
        }
        this.maxLineLength = maxLineLength;
        this.maxBytesPerPoll = maxBytesPerPoll;
        this.partialLineFlush = partialLineFlush;
        this.clock = clock;
    }

    /** The complete lines appended since the last poll (without their newlines); empty while the file is absent. */
    public List<String> poll() throws IOException {
        List<String> lines = new ArrayList<>();
        @Nullable BasicFileAttributes now;
        try {
            now = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            now = null; // rotated away and not yet re-created, or not there yet: keep reading what is open
        }
        if (channel != null && now != null && !Objects.equals(now.fileKey(), fileKey)) {
            read(lines); // rotated: finish the old file first
            flushPartial(lines);
            closeChannel();
            rotations++;
        }
        if (channel == null) {
            if (now == null) {
                firstOpen = false; // a file that appears after the start is new: read it whole
                return lines;
            }
            channel = FileChannel.open(file, StandardOpenOption.READ);
            fileKey = now.fileKey();
            position = firstOpen && fromEnd ? channel.size() : 0;
            firstOpen = false;
        }
        if (channel.size() < position) { // truncated (copytruncate rotation, or > file)
            position = 0;
            partial.reset();
            truncations++;
        }
        read(lines);
        if (partial.size() > 0
                && Duration.between(partialSince, clock.instant()).compareTo(partialLineFlush) >= 0) {
            flushPartial(lines);
        }
        return lines;
    }

    private void read(List<String> lines) throws IOException {
        FileChannel ch = Objects.requireNonNull(channel);
        ByteBuffer buf = ByteBuffer.allocate(Math.min(64 * 1024, maxBytesPerPoll));
        int budget = maxBytesPerPoll;
        while (budget > 0) {
            buf.clear();
            buf.limit(Math.min(buf.capacity(), budget));
            int n = ch.read(buf, position);
            if (n <= 0) {
                break;
            }
            position += n;
            budget -= n;
            byte[] a = buf.array();
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (a[i] == '\n') {
                    append(a, start, i - start);
                    lines.add(takeLine());
                    start = i + 1;
                }
            }
            if (start < n) {
                append(a, start, n - start);
                partialSince = clock.instant();
            }
        }
    }

    private void append(byte[] a, int off, int len) {
        int room = maxLineLength - partial.size();
        if (len > room) {
            if (room > 0) {
                partial.write(a, off, room);
            }
            cut = true;
            return;
        }
        partial.write(a, off, len);
    }

    private String takeLine() {
        byte[] bytes = partial.toByteArray();
        partial.reset();
        if (cut) {
            linesCut++;
            cut = false;
        }
        int len = bytes.length;
        if (len > 0 && bytes[len - 1] == '\r') {
            len--;
        }
        return new String(bytes, 0, len, StandardCharsets.UTF_8);
    }

    private void flushPartial(List<String> lines) {
        if (partial.size() > 0) {
            lines.add(takeLine());
        }
    }

    /** Lines longer than the limit, cut to it. */
    public long linesCut() {
        return linesCut;
    }

    public long rotations() {
        return rotations;
    }

    public long truncations() {
        return truncations;
    }

    private void closeChannel() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
            fileKey = null;
        }
    }

    @Override
    public void close() throws IOException {
        closeChannel();
    }
}
