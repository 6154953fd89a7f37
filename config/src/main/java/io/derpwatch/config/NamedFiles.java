package io.derpwatch.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The files that settings name (a DERP map, a header from a mounted Secret), checked where the user can fix them:
 * exists, a regular file (not a device or a pipe, which could be endless), readable, within a size cap. Problems
 * go to the reader's list, located at the key.
 */
final class NamedFiles {
    private final SettingsReader reader;

    NamedFiles(SettingsReader reader) {
        this.reader = reader;
    }

    /** The text of {@code file}, read with a size cap; empty (and a problem) when unusable. */
    Optional<String> text(String key, String file, long maxBytes) {
        if (!usable(key, file, maxBytes)) {
            return Optional.empty();
        }
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                reader.problem(
                        key, "file \"" + file + "\" is larger than " + maxBytes + " bytes (expected a small file)");
                return Optional.empty();
            }
            return Optional.of(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            reader.problem(key, "cannot read file \"" + file + "\": " + e.getMessage() + " (expected a readable file)");
            return Optional.empty();
        }
    }

    /** Whether {@code file} exists, is a regular readable file of at most {@code maxBytes}; else a problem. */
    boolean usable(String key, String file, long maxBytes) {
        Path p;
        try {
            p = Path.of(file);
        } catch (RuntimeException e) {
            reader.problem(key, "bad file name \"" + file + "\" (expected a path)");
            return false;
        }
        if (!Files.exists(p)) {
            reader.problem(key, "file \"" + file + "\" not found (expected an existing file)");
            return false;
        }
        if (!Files.isRegularFile(p)) {
            reader.problem(
                    key, "\"" + file + "\" is not a regular file (expected a file, not a directory or a device)");
            return false;
        }
        if (!Files.isReadable(p)) {
            reader.problem(key, "file \"" + file + "\" is not readable by the agent (expected read permission)");
            return false;
        }
        try {
            long size = Files.size(p);
            if (size > maxBytes) {
                reader.problem(
                        key,
                        "file \"" + file + "\" is " + size + " bytes, larger than the limit of " + maxBytes
                                + " bytes (expected a small file)");
                return false;
            }
        } catch (IOException e) {
            reader.problem(key, "cannot read file \"" + file + "\": " + e.getMessage() + " (expected a readable file)");
            return false;
        }
        return true;
    }
}
