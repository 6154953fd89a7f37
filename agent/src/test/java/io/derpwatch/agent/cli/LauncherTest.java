package io.derpwatch.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.agent.home.StatusFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./derpwatch} launcher, run for real in a copy of the repository's layout: a fake {@code mvnw} records
 * builds (and prints Maven's module lines), {@code JAVA=echo} shows what would run.
 */
class LauncherTest {
    @TempDir
    Path repo;

    private Path jar;
    private Path builds;

    @BeforeEach
    void layout() throws IOException {
        Files.copy(
                StatusFixtures.repositoryRoot().resolve("derpwatch"),
                repo.resolve("derpwatch"),
                StandardCopyOption.COPY_ATTRIBUTES);
        builds = repo.resolve("builds.txt");
        Path mvnw = repo.resolve("mvnw");
        Files.writeString(
                mvnw,
                "#!/usr/bin/env bash\n"
                        + "echo \"$@\" >> '" + builds + "'\n"
                        + "echo '[INFO] Building derpwatch config 0.1.0-SNAPSHOT                          [1/2]'\n"
                        + "echo '[INFO] Building derpwatch agent 0.1.0-SNAPSHOT                           [2/2]'\n"
                        + "mkdir -p agent/target && echo jar > agent/target/derpwatch.jar\n");
        Files.setPosixFilePermissions(mvnw, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(repo.resolve("config/src/main/java"));
        Files.writeString(repo.resolve("config/src/main/java/A.java"), "class A {}");
        Files.writeString(repo.resolve("pom.xml"), "<project/>");
        jar = repo.resolve("agent/target/derpwatch.jar");
    }

    private record Run(int exit, String stdout, String stderr) {}

    private Run launch(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(
                List.of("bash", repo.resolve("derpwatch").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(repo.toFile());
        pb.environment().put("JAVA", "echo");
        pb.environment().put("DERPWATCH_CDS", "off");
        pb.environment().remove("DERPWATCH_REBUILD");
        Path out = repo.resolve("out.txt");
        Path err = repo.resolve("err.txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(
                p.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private int buildCount() throws IOException {
        return Files.exists(builds) ? Files.readAllLines(builds).size() : 0;
    }

    private void age(Path file, int secondsAgo) throws IOException {
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(secondsAgo)));
    }

    @Test
    void firstRun_buildsTheJar_showingProgressPerModule_onStderr() throws Exception {
        Run run = launch("--version");

        assertThat(buildCount()).isEqualTo(1);
        assertThat(run.stderr())
                .contains("building the agent (first run", "[1/2] derpwatch config", "[2/2] derpwatch agent");
        assertThat(run.stdout()).contains("-cp " + jar + " io.derpwatch.agent.cli.Main", "--version");
    }

    @Test
    void upToDateJar_isNotRebuilt() throws Exception {
        launch("--version");
        age(repo.resolve("config/src/main/java/A.java"), 60);
        age(repo.resolve("pom.xml"), 60);

        Run run = launch("--version");

        assertThat(buildCount()).isEqualTo(1);
        assertThat(run.stderr()).doesNotContain("building");
    }

    @Test
    void sourceNewerThanTheJar_rebuildsIt() throws Exception {
        launch("--version");
        age(jar, 60);
        age(repo.resolve("pom.xml"), 120);

        Run run = launch("--version");

        assertThat(buildCount()).isEqualTo(2);
        assertThat(run.stderr()).contains("sources changed since it was built");
    }

    @Test
    void nativeLibraryDirectoryBesideTheJar_isPutOnTheLibraryPath() throws Exception {
        launch("--version");
        Path nativeDir = Files.createDirectories(repo.resolve("agent/target/native"));

        Run run = launch("--version");

        assertThat(run.stdout()).contains(" -Djava.library.path=" + nativeDir + " ");
    }

    @Test
    void withoutTheNativeLibraryDirectory_theLibraryPathIsLeftAlone() throws Exception {
        Run run = launch("--version");

        assertThat(run.stdout()).contains("-cp " + jar).doesNotContain("java.library.path");
    }

    @Test
    void failedBuild_exits1_withTheLogsTail() throws Exception {
        Files.writeString(
                repo.resolve("mvnw"), "#!/usr/bin/env bash\necho '[ERROR] COMPILATION ERROR: A.java'\nexit 1\n");

        Run run = launch("--version");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.stderr()).contains("the build failed", "COMPILATION ERROR: A.java");
        assertThat(run.stdout()).isEmpty();
    }

    @Test
    void compileCommandPatterns_reachJavaAsWritten_quietFirst_evenWhenAFileMatchesThem() throws Exception {
        launch("--version");
        // a file in the working directory that `io.derpwatch.*::*` would match as a shell pattern
        Files.writeString(repo.resolve("io.derpwatch.Main::run"), "");

        Run run = launch("--version");

        String line = run.stdout();
        assertThat(line)
                .contains("-XX:CompileCommand=compileonly,io.derpwatch.*::*")
                .doesNotContain("io.derpwatch.Main::run");
        assertThat(line.indexOf("-XX:CompileCommand=quiet"))
                .as("quiet before the first CompileCommand, or HotSpot prints them on stdout")
                .isNotNegative()
                .isLessThan(line.indexOf("-XX:CompileCommand=compileonly"));
    }
}
