package io.derpwatch.deploy;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A program the tests run (kubectl, promtool, podman). Missing, the test is skipped with a message saying how to
 * install it; with {@code CI=true} a missing tool fails the test instead, so CI never passes by skipping.
 */
final class ExternalTool {
    private final Path executable;

    private ExternalTool(Path executable) {
        this.executable = executable;
    }

    /** The tool on PATH, or a skip (a failure under CI=true) naming the package to install. */
    static ExternalTool require(String name, String install) {
        Optional<Path> found = find(name);
        if (found.isEmpty()) {
            String message = name + " is not installed (" + install + "); this test needs it";
            if ("true".equals(System.getenv("CI"))) {
                fail(message + " and CI=true does not allow skipping it");
            }
            Assumptions.abort(message + ": skipped");
        }
        return new ExternalTool(found.get());
    }

    /** A tool at a known path (the JDK's own keytool). */
    static ExternalTool at(Path executable) {
        return new ExternalTool(executable);
    }

    static Optional<Path> find(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            for (String d : List.of(dir, "/usr/sbin", "/sbin")) {
                Path candidate = Path.of(d, name);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /** What one run printed, and how it ended. */
    record Result(int exitCode, String stdout, String stderr) {
        Result assertSuccess(String what) {
            if (exitCode != 0) {
                fail(what + " failed with exit code " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr);
            }
            return this;
        }
    }

    Result run(Duration timeout, String... args) {
        return run(timeout, Map.of(), args);
    }

    Result run(Duration timeout, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("derpwatch-tool", ".out");
            Path err = Files.createTempFile("derpwatch-tool", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(command)
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                pb.environment().putAll(env);
                Process p = pb.start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    fail(String.join(" ", command) + " did not finish within " + timeout + "\nstderr:\n"
                            + Files.readString(err, StandardCharsets.UTF_8));
                }
                return new Result(
                        p.exitValue(),
                        Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
