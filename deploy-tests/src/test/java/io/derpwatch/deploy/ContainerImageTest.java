package io.derpwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.derpwatch.lab.LocalApiEmulator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real image: deploy/docker/Dockerfile built with podman (runc, vfs storage) from base images made here (no
 * registry is reachable: the bases are root filesystems assembled from this machine's JDK and libraries by
 * {@code src/test/sh/local-base-rootfs.sh}), then run read-only, as uid 65532, without a network, against the
 * lab's LocalAPI emulator on a real Unix socket mounted read-only, as a DaemonSet mounts tailscaled's.
 *
 * <p>podman's storage lives under {@code target/podman} (set {@code derpwatch.podman.root} to keep it across
 * {@code mvn clean}), so a second run reuses the bases and the build cache.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContainerImageTest {
    private static final String IMAGE = "localhost/derpwatch:deploy-tests";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> global = new ArrayList<>();
    private ExternalTool podman;
    private Path figures;

    @BeforeAll
    void buildImage() throws IOException {
        podman = ExternalTool.require("podman", "apt-get install -y podman runc");
        ExternalTool.require("runc", "apt-get install -y runc");
        Path jar = Repository.path("agent/target/derpwatch.jar");
        if (!Files.isRegularFile(jar)) {
            String message = "agent/target/derpwatch.jar is not built (the image test packages the jar the build "
                    + "made: run ./mvnw -B verify, or ./mvnw -B -q -DskipTests package first)";
            if ("true".equals(System.getenv("CI"))) {
                fail(message);
            }
            org.junit.jupiter.api.Assumptions.abort(message);
        }
        Path root = Path.of(System.getProperty(
                        "derpwatch.podman.root",
                        Path.of("target", "podman").toAbsolutePath().toString()))
                .toAbsolutePath();
        Files.createDirectories(root);
        // runroot holds sockets (108-byte path limit): a short path, one per storage root.
        String runroot = "/tmp/derpwatch-podman-" + hash(root.toString()).substring(0, 12);
        global.addAll(List.of(
                "--root", root.resolve("storage").toString(),
                "--runroot", runroot,
                "--storage-driver", "vfs",
                "--runtime", "runc",
                "--cgroup-manager", "cgroupfs",
                "--events-backend", "file"));
        figures = Path.of("target", "deploy-figures.txt").toAbsolutePath();
        long start = System.nanoTime();
        String bases = localBases(root);
        long basesDone = System.nanoTime();
        podman(
                        Duration.ofMinutes(20),
                        "build",
                        "--ulimit",
                        "nofile=1024:1024",
                        "--ulimit",
                        "nproc=1024:1024",
                        "-f",
                        Repository.path("deploy/docker/Dockerfile").toString(),
                        "--ignorefile",
                        Repository.path("deploy/docker/Dockerfile.dockerignore").toString(),
                        "--build-arg",
                        "BUILD_BASE=localhost/derpwatch-test-build-base:" + bases,
                        "--build-arg",
                        "BASE=localhost/derpwatch-test-runtime-base:" + bases,
                        "--build-arg",
                        "DERPWATCH_JAR=prebuilt",
                        "-t",
                        IMAGE,
                        Repository.root().toString())
                .assertSuccess("podman build of deploy/docker/Dockerfile");
        long built = System.nanoTime();
        String size = podman(Duration.ofMinutes(1), "image", "inspect", "--format", "{{.Size}}", IMAGE)
                .assertSuccess("podman image inspect")
                .stdout()
                .trim();
        Files.writeString(
                figures,
                "bases: " + (basesDone - start) / 1_000_000 + " ms, build: " + (built - basesDone) / 1_000_000
                        + " ms, image size: " + size + " bytes\n");
    }

    @AfterAll
    void keepStorageSmall() {
        if (podman != null) {
            podman(Duration.ofMinutes(2), "image", "prune", "-f"); // dangling layers of earlier builds
        }
    }

    @Test
    void image_runsReadOnlyAsNonRootWithoutNetwork_exportsOtlpJsonFromTheLabAndStopsCleanlyOnSigterm(@TempDir Path dir)
            throws Exception {
        Path socketDir = Files.createDirectories(dir.resolve("tailscale"));
        Path confDir = Files.createDirectories(dir.resolve("etc"));
        // What tailscaled does: a 0755 directory and a 0666 socket (it checks the caller's credentials itself).
        Files.setPosixFilePermissions(socketDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(confDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(
                confDir.resolve("derpwatch.conf"),
                "derpwatch {\n  status.interval = 1s\n  telemetry.export-interval = 2s\n"
                        + "  netcheck.enabled = false\n}\n");
        String name = "derpwatch-test-" + UUID.randomUUID().toString().substring(0, 8);
        try (LocalApiEmulator lab = LocalApiEmulator.start(socketDir.resolve("tailscaled.sock"))) {
            Files.setPosixFilePermissions(lab.socket(), PosixFilePermissions.fromString("rw-rw-rw-"));
            podman(
                            Duration.ofMinutes(2),
                            "run",
                            "-d",
                            "--name",
                            name,
                            "--read-only",
                            "--user",
                            "65532:65532",
                            "--network",
                            "none",
                            "--ulimit",
                            "nofile=1024:1024",
                            "--ulimit",
                            "nproc=1024:1024",
                            "-v",
                            socketDir + ":/var/run/tailscale:ro",
                            "-v",
                            confDir + ":/etc/derpwatch:ro",
                            IMAGE,
                            "run",
                            "--config",
                            "/etc/derpwatch/derpwatch.conf")
                    .assertSuccess("podman run");
            try {
                await().atMost(Duration.ofMinutes(2))
                        .pollInterval(Duration.ofSeconds(1))
                        .untilAsserted(() -> {
                            String out =
                                    podman(Duration.ofMinutes(1), "logs", name).stdout();
                            assertThat(homeConnection(out))
                                    .as("tailscale.derp.home_connection in\n%s", out)
                                    .contains(1L);
                            assertThat(out).contains("\"resourceLogs\"", "tailscale.derp.home_connection.changed");
                        });
                assertThat(lab.requestCount())
                        .as("LocalAPI requests the container made")
                        .isPositive();
                JsonNode inspect = JSON.readTree(
                                podman(Duration.ofMinutes(1), "inspect", name).stdout())
                        .get(0);
                assertThat(inspect.at("/HostConfig/ReadonlyRootfs").asBoolean()).isTrue();
                assertThat(inspect.at("/Config/User").asText()).isEqualTo("65532:65532");
                long pid = inspect.at("/State/Pid").asLong();
                if ("amd64".equals(System.getProperty("os.arch"))) {
                    assertThat(Files.readAllLines(Path.of("/proc/" + pid + "/maps")))
                            .as("Netty's library mapped from the image's native directory, not a copy in /tmp")
                            .anyMatch(
                                    l -> l.endsWith(" /opt/derpwatch/native/libnetty_transport_native_epoll_x86_64.so"))
                            .noneMatch(l -> l.contains("/tmp/libnetty"));
                }
                String rss = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                        .filter(l -> l.startsWith("VmRSS:"))
                        .findFirst()
                        .orElse("VmRSS: ?");
                Files.writeString(
                        figures,
                        "in-container " + rss.replaceAll("\\s+", " ") + " after the first exports\n",
                        java.nio.file.StandardOpenOption.APPEND);

                ExternalTool.Result stop = podman(Duration.ofMinutes(1), "stop", "-t", "30", name);
                stop.assertSuccess("podman stop (SIGTERM)");
                JsonNode stopped = JSON.readTree(
                                podman(Duration.ofMinutes(1), "inspect", name).stdout())
                        .get(0);
                assertThat(stopped.at("/State/ExitCode").asInt())
                        .as("exit code after SIGTERM (137 would be the SIGKILL after the grace time)")
                        .isZero();
                ExternalTool.Result logs = podman(Duration.ofMinutes(1), "logs", name);
                assertThat(logs.stderr())
                        .as("the native epoll transport loads in the image")
                        .contains("epoll transport");
                assertThat(logs.stderr()).contains("SIGTERM received", "derpwatch stopped");
                assertThat(logs.stdout().lines().filter(l -> !l.isBlank()))
                        .as("stdout holds only OTLP JSON lines")
                        .allSatisfy(l -> assertThat(JSON.readTree(l).has("resourceMetrics")
                                        || JSON.readTree(l).has("resourceLogs"))
                                .isTrue());
            } finally {
                podman(Duration.ofMinutes(1), "rm", "-f", name);
            }
        }
    }

    @Test
    void image_mapsTheClassDataArchiveMadeAtBuildTime() {
        String out = podman(
                        Duration.ofMinutes(2),
                        "run",
                        "--rm",
                        "--read-only",
                        "--network",
                        "none",
                        "--ulimit",
                        "nofile=1024:1024",
                        "--ulimit",
                        "nproc=1024:1024",
                        "--entrypoint",
                        "/opt/derpwatch/jre/bin/java",
                        IMAGE,
                        "-Xshare:on",
                        "-XX:SharedArchiveFile=/opt/derpwatch/derpwatch.jsa",
                        "-Xlog:cds=info",
                        "-cp",
                        "/opt/derpwatch/derpwatch.jar",
                        "-version")
                .assertSuccess("java -Xshare:on with the image's archive")
                .stdout();
        assertThat(out).contains("Mapped dynamic region");
    }

    @Test
    void image_isNonRootWithTheChartsEntrypointNoHealthcheckAndNoShell() throws IOException {
        JsonNode config = JSON.readTree(podman(Duration.ofMinutes(1), "image", "inspect", IMAGE)
                        .assertSuccess("podman image inspect")
                        .stdout())
                .get(0)
                .get("Config");
        assertThat(config.get("User").asText()).isEqualTo("65532:65532");
        assertThat(config.get("Entrypoint").get(0).asText()).isEqualTo("/opt/derpwatch/jre/bin/java");
        assertThat(config.get("Cmd").get(0).asText()).isEqualTo("run");
        assertThat(config.has("Healthcheck")).isFalse();
        assertThat(config.at("/Labels/org.opencontainers.image.title").asText()).isEqualTo("derpwatch");
        ExternalTool.Result shell = podman(
                Duration.ofMinutes(1),
                "run",
                "--rm",
                "--network",
                "none",
                "--ulimit",
                "nofile=1024:1024",
                "--ulimit",
                "nproc=1024:1024",
                "--entrypoint",
                "/bin/sh",
                IMAGE,
                "-c",
                "true");
        assertThat(shell.exitCode()).as("a shell in the runtime image").isNotZero();
    }

    /** The values of tailscale.derp.home_connection in OTLP JSON lines. */
    private static List<Long> homeConnection(String stdout) throws IOException {
        List<Long> values = new ArrayList<>();
        for (String line : stdout.lines().toList()) {
            if (!line.startsWith("{\"resourceMetrics\"")) {
                continue;
            }
            for (JsonNode rm : JSON.readTree(line).get("resourceMetrics")) {
                for (JsonNode sm : rm.get("scopeMetrics")) {
                    for (JsonNode metric : sm.get("metrics")) {
                        if (metric.get("name").asText().equals("tailscale.derp.home_connection")) {
                            for (JsonNode point : metric.at("/gauge/dataPoints")) {
                                values.add(point.get("asInt").asLong());
                            }
                        }
                    }
                }
            }
        }
        return values;
    }

    /** Imports the two base images once per (script, JDK): their tag is a hash of both. */
    private String localBases(Path root) throws IOException {
        Path script = Repository.path("deploy-tests/src/test/sh/local-base-rootfs.sh");
        String javaHome = System.getProperty("java.home");
        if (!Files.isDirectory(Path.of(javaHome, "jmods"))) {
            fail("the test JDK " + javaHome + " has no jmods/ (jlink needs them): run the build with a full JDK");
        }
        String key = hash(Files.readString(script) + javaHome + System.getProperty("java.runtime.version"))
                .substring(0, 12);
        boolean present = podman(Duration.ofMinutes(1), "image", "exists", "localhost/derpwatch-test-build-base:" + key)
                                .exitCode()
                        == 0
                && podman(Duration.ofMinutes(1), "image", "exists", "localhost/derpwatch-test-runtime-base:" + key)
                                .exitCode()
                        == 0;
        if (present) {
            return key;
        }
        Path out = Files.createDirectories(root.resolve("rootfs"));
        ExternalTool.at(Path.of("/bin/bash"))
                .run(Duration.ofMinutes(10), script.toString(), javaHome, out.toString())
                .assertSuccess("local-base-rootfs.sh");
        podman(
                        Duration.ofMinutes(10),
                        "import",
                        "--change",
                        "ENV PATH=/usr/bin",
                        out.resolve("runtime.tar").toString(),
                        "localhost/derpwatch-test-runtime-base:" + key)
                .assertSuccess("podman import runtime base");
        podman(
                        Duration.ofMinutes(10),
                        "import",
                        "--change",
                        "ENV PATH=/opt/jdk/bin:/usr/bin",
                        "--change",
                        "ENV JAVA_HOME=/opt/jdk",
                        out.resolve("build.tar").toString(),
                        "localhost/derpwatch-test-build-base:" + key)
                .assertSuccess("podman import build base");
        Files.delete(out.resolve("runtime.tar"));
        Files.delete(out.resolve("build.tar"));
        return key;
    }

    private ExternalTool.Result podman(Duration timeout, String... args) {
        List<String> all = new ArrayList<>(global);
        all.addAll(List.of(args));
        return podman.run(timeout, Map.of(), all.toArray(String[]::new));
    }

    private static String hash(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
