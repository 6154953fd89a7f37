package io.derpwatch.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code derpwatch demo} as a new user runs it, on a machine without coturn. */
class DemoProcessTest {
    @TempDir
    Path dir;

    private Process process;

    @AfterEach
    void stop() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    private String read(String name) throws Exception {
        Path f = dir.resolve(name);
        return Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
    }

    @Test
    void demo_withoutCoturn_measuresTheLabRegions_andNarratesADerpLoss() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName(),
                        "demo",
                        "--phase",
                        "3s"))
                .redirectOutput(dir.resolve("stdout").toFile())
                .redirectError(dir.resolve("stderr").toFile());
        pb.environment().put("PATH", dir.resolve("no-coturn-here").toString()); // no turnserver on the PATH
        process = pb.start();

        // the first sample may land in either phase: wait for a drop, a recovery after it, a netcheck report, and
        // the active check both failing (relay down) and answering (relay up: on a loaded machine the first check
        // can miss the first connected phase, and the one after a recovery may still be running)
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            String out = read("stdout");
            String err = read("stderr");
            int drop = out.indexOf("home DERP connection 1 -> 0 (derp_unreachable)");
            return drop >= 0
                    && out.indexOf("home DERP connection 0 -> 1", drop) > drop
                    && out.contains("tailscale.netcheck.region.latency")
                    && err.contains("is unreachable at step tcp")
                    && err.contains("answers the DERP upgrade with its server key");
        });
        process.destroy(); // SIGTERM

        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        String err = read("stderr");
        assertThat(err)
                .contains("STUN answered by the lab's in-process STUN responder")
                .contains("lab-near     (901) Lab near")
                .contains("<- home region")
                .contains("lab: tailscaled loses its home DERP region lab-near")
                .contains("agent: home_connection 0 (derp_unreachable)")
                .contains("ms after the lab's change")
                .contains("admin server listening on http://127.0.0.1:")
                // the active check against the home region's DERP server, which drops with the relay
                .contains("agent: the home DERP server localhost:")
                .contains("answers the DERP upgrade with its server key")
                .contains("is unreachable at step tcp");
        String out = read("stdout");
        // one tailnet: the home region is one of the regions netcheck measures
        assertThat(out)
                .contains("metric tailscale.derp.home_connection")
                .containsPattern("metric tailscale\\.netcheck\\.region\\.latency [0-9.]+ s \\{[^}]*"
                        + "tailscale\\.derp\\.region\\.code=lab-near")
                .contains("home DERP connection 1 -> 0 (derp_unreachable), region lab-near (901, Lab near)")
                .contains("metric tailscale.derp.region.reachable");
    }
}
