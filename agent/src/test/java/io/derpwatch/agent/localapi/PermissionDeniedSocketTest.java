package io.derpwatch.agent.localapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.derpwatch.agent.localapi.LocalApiException.Kind;
import io.derpwatch.lab.LocalApiEmulator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real EACCES on connect. Root ignores socket file modes, so as root (CI) the client runs in a child JVM
 * dropped to uid/gid 65534 with {@code setpriv}, against a root-owned 0600 socket (and, as a control, the same
 * socket at 0666, which must work). As a non-root user the client runs in-process against a 0000 socket.
 */
class PermissionDeniedSocketTest {
    private static final int NOBODY = 65534;

    @TempDir
    Path tmp;
    /** The classpath copy, made once for the class. */
    @TempDir
    static Path shared;

    private static Path classpathCopy;

    @ParameterizedTest(name = "as uid 65534 over {0}")
    @ValueSource(strings = {"epoll", "nio"})
    void rootOwned0600Socket_isPermissionDeniedForAnotherUser(String transport) throws Exception {
        Assumptions.assumeTrue(uid() == 0, "not root: covered in-process by nonRoot_mode0000Socket_isPermissionDenied");
        Path setpriv = Stream.of("/usr/bin/setpriv", "/bin/setpriv")
                .map(Path::of)
                .filter(Files::isExecutable)
                .findFirst()
                .orElse(null);
        Assumptions.assumeTrue(setpriv != null, "setpriv (util-linux) is not installed: cannot drop to uid 65534");

        worldReadable(tmp); // JUnit makes it 0700
        Path dir = worldReadable(Files.createDirectory(tmp.resolve("run")));
        Path classpath = classpathCopy();
        try (LocalApiEmulator lab = LocalApiEmulator.start(dir.resolve("tailscaled.sock"))) {
            Files.setPosixFilePermissions(lab.socket(), PosixFilePermissions.fromString("rw-------"));
            assertThat(probe(setpriv, classpath, lab.socket(), transport)).isEqualTo("permission_denied");

            Files.setPosixFilePermissions(lab.socket(), PosixFilePermissions.fromString("rw-rw-rw-"));
            assertThat(probe(setpriv, classpath, lab.socket(), transport))
                    .as("control: same user, open socket")
                    .isEqualTo("ok");
        }
    }

    @Test
    void nonRoot_mode0000Socket_isPermissionDenied() throws Exception {
        Assumptions.assumeTrue(
                uid() != 0,
                "running as root, where connect() ignores the socket's mode:"
                        + " covered by rootOwned0600Socket_isPermissionDeniedForAnotherUser");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (LocalApiEmulator lab = LocalApiEmulator.start(tmp.resolve("tailscaled.sock"))) {
            Files.setPosixFilePermissions(lab.socket(), PosixFilePermissions.fromString("---------"));
            LocalApiClient client = new LocalApiClient(group, lab.socket(), Duration.ofSeconds(2), 1 << 20);

            assertThatThrownBy(() -> client.get("/localapi/v0/status").get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOfSatisfying(
                            LocalApiException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PERMISSION_DENIED));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static String probe(Path setpriv, Path classpath, Path socket, String transport) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(
                setpriv.toString(),
                "--reuid=" + NOBODY,
                "--regid=" + NOBODY,
                "--clear-groups",
                java,
                "-Xmx64m",
                "-cp",
                classpath + File.separator + "*" + File.pathSeparator + classpath.resolve("classes"),
                PermissionProbe.class.getName(),
                socket.toString(),
                transport);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out;
        try (var in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).as(out).isNotEmpty();
        return lines.get(lines.size() - 1).trim();
    }

    private static synchronized Path classpathCopy() throws IOException {
        if (classpathCopy == null) {
            worldReadable(shared); // JUnit makes it 0700
            classpathCopy = copyClasspath(worldReadable(Files.createDirectory(shared.resolve("cp"))));
        }
        return classpathCopy;
    }

    /** The test's classpath, copied where uid 65534 can read it (/root is 0700): jars flat, class dirs merged. */
    private static Path copyClasspath(Path target) throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path classes = worldReadable(Files.createDirectories(target.resolve("classes")));
        List<Path> entries = new ArrayList<>();
        for (String e : cp.split(File.pathSeparator)) {
            if (!e.isBlank()) {
                entries.add(Path.of(e));
            }
        }
        for (Path entry : entries) {
            if (Files.isDirectory(entry)) {
                try (Stream<Path> files = Files.walk(entry)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        Path to = classes.resolve(entry.relativize(f).toString());
                        if (Files.isDirectory(f)) {
                            worldReadable(Files.createDirectories(to));
                        } else if (!Files.exists(to)) {
                            Files.copy(f, to);
                            worldReadable(to);
                        }
                    }
                }
            } else if (Files.isRegularFile(entry) && entry.toString().endsWith(".jar")) {
                Path to = target.resolve(entry.getFileName());
                if (!Files.exists(to)) {
                    Files.copy(entry, to);
                    worldReadable(to);
                }
            }
        }
        return target;
    }

    private static Path worldReadable(Path p) throws IOException {
        Files.setPosixFilePermissions(
                p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
        return p;
    }

    private static int uid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }
}
