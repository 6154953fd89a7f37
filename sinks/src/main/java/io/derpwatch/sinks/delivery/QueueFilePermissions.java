package io.derpwatch.sinks.delivery;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;

/**
 * Queue files readable and writable by the agent's user only, whatever the process umask: files 0600, and the
 * directories this process creates 0700 (a directory that already exists, e.g. a volume's mount point, keeps
 * its mode). Set explicitly after creation, since a creation mode is filtered by the umask.
 */
final class QueueFilePermissions {
    private static final boolean POSIX =
            FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");

    private QueueFilePermissions() {}

    static void createDirectories(Path dir) throws IOException {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = dir; p != null && !Files.exists(p); p = p.getParent()) {
            missing.push(p);
        }
        while (!missing.isEmpty()) {
            Path p = missing.pop();
            try {
                Files.createDirectory(p);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                continue; // made by someone else meanwhile: not ours to change
            }
            if (POSIX) {
                Files.setPosixFilePermissions(p, DIRECTORY);
            }
        }
    }

    static void ownerOnly(Path file) throws IOException {
        if (POSIX) {
            Files.setPosixFilePermissions(file, FILE);
        }
    }
}
