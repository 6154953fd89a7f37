package io.derpwatch.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Paths in the repository the tests check (the root comes from the build, {@code repository.root}). */
final class Repository {
    private Repository() {}

    static Path root() {
        String root = System.getProperty("repository.root");
        Path p = root == null ? Path.of("..").toAbsolutePath().normalize() : Path.of(root);
        if (!Files.isDirectory(p.resolve("deploy"))) {
            throw new IllegalStateException("not the repository root (no deploy/): " + p);
        }
        return p;
    }

    static Path path(String relative) {
        return root().resolve(relative);
    }

    static String read(String relative) {
        try {
            return Files.readString(path(relative), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
