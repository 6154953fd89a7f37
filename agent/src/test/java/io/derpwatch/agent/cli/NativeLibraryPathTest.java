package io.derpwatch.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.derpwatch.lab.LocalApiEmulator;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Netty's epoll library as a file on {@code java.library.path} (the launcher's {@code agent/target/native}, the
 * image's {@code /opt/derpwatch/native}): the agent loads it in place; without it, Netty copies the library out of
 * the jar into its work directory, as it always did. The real agent as a child JVM, against the lab's LocalAPI.
 */
class NativeLibraryPathTest {
    private static final String LIBRARY = "libnetty_transport_native_epoll_x86_64.so";

    @TempDir
    Path dir;

    private LocalApiEmulator lab;
    private Path workdir;

    @BeforeEach
    void start() throws Exception {
        assumeThat(System.getProperty("os.arch")).as("the x86_64 library ships").isEqualTo("amd64");
        lab = LocalApiEmulator.start(dir.resolve("tailscaled.sock"));
        workdir = Files.createDirectories(dir.resolve("netty-workdir"));
    }

    @AfterEach
    void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    /** Runs the agent until its first export and its start-up line; returns its stderr. */
    private String runAgent(String... jvmOptions) throws Exception {
        List<String> options = new ArrayList<>(List.of(
                // where Netty would copy the library, kept after loading so the test can see the copy
                "-Dio.netty.native.workdir=" + workdir, "-Dio.netty.native.deleteLibAfterLoading=false"));
        options.addAll(List.of(jvmOptions));
        String config = "derpwatch {\n  localapi.socket = \"" + lab.socket() + "\"\n  netcheck.enabled = false\n"
                + "  admin { host = \"127.0.0.1\", port = 0 }\n}\n";
        try (AgentProcess agent = AgentProcess.run(dir, config, options.toArray(String[]::new))) {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> agent.stdout().contains("tailscale.derp.home_connection.changed")
                            && agent.stderr().contains(" transport"));
            return agent.stderr();
        }
    }

    private List<Path> copies() throws Exception {
        try (Stream<Path> files = Files.list(workdir)) {
            return files.toList();
        }
    }

    @Test
    void libraryOnTheLibraryPath_isLoadedInPlace_withoutACopy() throws Exception {
        Path nativeDir = Files.createDirectories(dir.resolve("native"));
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/native/" + LIBRARY)) {
            assertThat(in).as("the library in Netty's jar").isNotNull();
            Files.copy(in, nativeDir.resolve(LIBRARY));
        }

        String stderr = runAgent("-Djava.library.path=" + nativeDir);

        assertThat(stderr).contains("epoll transport");
        assertThat(copies()).isEmpty();
    }

    @Test
    void withoutTheLibraryPath_theLibraryIsCopiedOutOfTheJar_andEpollStillLoads() throws Exception {
        String stderr = runAgent("-Djava.library.path=" + Files.createDirectories(dir.resolve("empty")));

        assertThat(stderr).contains("epoll transport");
        assertThat(copies())
                .singleElement()
                .satisfies(p ->
                        assertThat(p.getFileName().toString()).startsWith("libnetty_transport_native_epoll_x86_64"));
    }
}
