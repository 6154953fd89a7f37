package io.derpwatch.agent.home;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds the shared tailscale fixtures: the {@code fixtures.dir} system property when that directory
 * exists, else {@code shared/fixtures} or {@code ../shared/fixtures} walking up from the working directory.
 */
public final class StatusFixtures {
    private StatusFixtures() {
    }

    public static Path tailscaleDir() {
        String prop = System.getProperty("fixtures.dir");
        if (prop != null && Files.isDirectory(Path.of(prop, "tailscale"))) {
            return Path.of(prop, "tailscale");
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            for (Path candidate : List.of(d.resolve("shared/fixtures/tailscale"),
                    d.resolve("../shared/fixtures/tailscale"))) {
                if (Files.isDirectory(candidate)) {
                    return candidate.normalize();
                }
            }
        }
        throw new IllegalStateException("tailscale fixtures not found (fixtures.dir=" + prop + ")");
    }

    /** Every {@code status-*.json}, sorted by name. */
    public static List<Path> statusFiles() {
        try (Stream<Path> files = Files.list(tailscaleDir())) {
            return files.filter(p -> p.getFileName().toString().matches("status-.*\\.json")).sorted().toList();
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
