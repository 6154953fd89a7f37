package io.derpwatch.agent.repo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.derpwatch.agent.home.StatusFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The repository is self-contained: its tests read only what a clone has, and no tracked file points outside it. */
class TestDataTest {

    @Test
    void testData_isResolvedInsideTheRepository() {
        Path root = StatusFixtures.repositoryRoot();
        assertThat(StatusFixtures.tailscaleDir()).startsWith(root);
        assertThat(StatusFixtures.statusFiles()).isNotEmpty();
    }

    @Test
    void testData_outsideTheRepository_isRefused() {
        String before = System.getProperty("fixtures.dir");
        Path outside =
                StatusFixtures.repositoryRoot().resolve(SIBLING + "/fixtures").normalize();
        System.setProperty("fixtures.dir", outside.toString());
        try {
            assertThatThrownBy(StatusFixtures::tailscaleDir)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("inside the repository");
        } finally {
            if (before == null) {
                System.clearProperty("fixtures.dir");
            } else {
                System.setProperty("fixtures.dir", before);
            }
        }
    }

    @Test
    void everySample_hasItsSourceNote() throws IOException {
        try (Stream<Path> files = Files.list(StatusFixtures.tailscaleDir())) {
            List<Path> samples = files.filter(p -> !p.getFileName().toString().endsWith(".source.txt"))
                    .toList();
            assertThat(samples).isNotEmpty();
            for (Path sample : samples) {
                String name = sample.getFileName().toString();
                String stem = name.substring(0, name.lastIndexOf('.'));
                assertThat(sample.resolveSibling(stem + ".source.txt"))
                        .as("provenance note of %s", name)
                        .isRegularFile();
            }
        }
    }

    /** The workspace folder beside a checkout that a user's clone does not have (split so this file is no match). */
    private static final String SIBLING = ".." + "/" + "shared";

    /** Matches a relative path that leaves the repository towards a sibling folder, e.g. the workspace folder beside a checkout. */
    private static final Pattern OUTSIDE = Pattern.compile("\\.\\./" + "shared|/work/" + "shared|\\.\\./" + "fixtures");

    @Test
    void noTrackedFile_refersToAPathOutsideTheRepository() throws Exception {
        Path root = StatusFixtures.repositoryRoot();
        Process git = new ProcessBuilder("git", "ls-files", "-z")
                .directory(root.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        byte[] out = git.getInputStream().readAllBytes();
        assertThat(git.waitFor(30, TimeUnit.SECONDS)).isTrue();
        if (git.exitValue() != 0) {
            return; // not a git checkout (a source tarball): nothing is tracked
        }
        List<String> offenders = new ArrayList<>();
        for (String name : new String(out, StandardCharsets.UTF_8).split("\0")) {
            Path file = root.resolve(name);
            if (name.isEmpty() || !Files.isRegularFile(file) || name.equals(SELF) || Files.size(file) > 4 << 20) {
                continue;
            }
            String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            if (OUTSIDE.matcher(text).find()) {
                offenders.add(name);
            }
        }
        assertThat(offenders)
                .as("tracked files that refer outside the repository")
                .isEmpty();
    }

    private static final String SELF = "agent/src/test/java/io/derpwatch/agent/repo/TestDataTest.java";
}
