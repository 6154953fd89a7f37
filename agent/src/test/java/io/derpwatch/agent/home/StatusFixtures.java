package io.derpwatch.agent.home;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds the real tailscale samples the tests read, in the repository's own {@code testdata/tailscale}: the
 * {@code fixtures.dir} system property (set by the root POM), else {@code testdata} walking up from the working
 * directory. Refuses a folder outside the repository root, so no test can depend on files a clone does not have.
 */
public final class StatusFixtures {
    private StatusFixtures() {}

    /** The repository root: the {@code repository.root} property, else the nearest folder with {@code testdata/} and {@code pom.xml}. */
    public static Path repositoryRoot() {
        String prop = System.getProperty("repository.root");
        if (prop != null && Files.isDirectory(Path.of(prop))) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("testdata")) && Files.isRegularFile(d.resolve("pom.xml"))) {
                return d.normalize();
            }
        }
        throw new IllegalStateException(
                "repository root not found from " + Path.of("").toAbsolutePath());
    }

    /** {@code testdata/}, checked to lie inside the repository. */
    public static Path testDataDir() {
        Path root = repositoryRoot();
        String prop = System.getProperty("fixtures.dir");
        Path dir = prop != null ? Path.of(prop).toAbsolutePath().normalize() : root.resolve("testdata");
        if (!dir.startsWith(root)) {
            throw new IllegalStateException("test data must live inside the repository (" + root + "), not at " + dir);
        }
        if (!Files.isDirectory(dir.resolve("tailscale"))) {
            throw new IllegalStateException("tailscale samples not found in " + dir);
        }
        return dir;
    }

    public static Path tailscaleDir() {
        return testDataDir().resolve("tailscale");
    }

    /** Every {@code status-*.json}, sorted by name. */
    public static List<Path> statusFiles() {
        try (Stream<Path> files = Files.list(tailscaleDir())) {
            return files.filter(p -> p.getFileName().toString().matches("status-.*\\.json"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] read(String name) {
        try {
            return Files.readAllBytes(tailscaleDir().resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
