package io.derpwatch.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.derpwatch.lab.LocalApiEmulator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM ends the process within {@code shutdown.timeout} plus the fixed grace, whatever is stuck. */
class ShutdownDeadlineProcessTest {
    @TempDir
    Path dir;

    private LocalApiEmulator lab;

    @BeforeEach
    void startLab() {
        lab = LocalApiEmulator.start(dir.resolve("tailscaled.sock"));
    }

    @AfterEach
    void stopLab() {
        lab.close();
    }

    @Test
    void sigterm_withASinkStuckInShutdown_haltsAtTheDeadline_withExitCode1() throws Exception {
        try (AgentProcess agent = AgentProcess.run(
                dir,
                "derpwatch {\n"
                        + "  localapi.socket = \"" + lab.socket() + "\"\n"
                        + "  netcheck.enabled = false\n"
                        + "  admin { host = \"127.0.0.1\", port = 0 }\n"
                        + "  shutdown.timeout = 1s\n"
                        + "  sinks.stdout.format = text\n"
                        + "  sinks.stuck.type = test-hang-on-shutdown\n"
                        + "}\n",
                AgentProcess.launcherFlags())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> agent.stdout().contains("home DERP connection 1"));

            agent.process.destroy(); // SIGTERM

            // the deadline is 1 s + 5 s; without it the process never exits. The wait is generous: a loaded machine
            // may be slow, and the log line below is what shows the deadline (not the speed) did it.
            assertThat(agent.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(agent.process.exitValue()).isEqualTo(ExitCodes.FAILED);
            assertThat(agent.stderr())
                    .contains("SIGTERM received: stopping")
                    .contains("shutdown did not finish within PT6S (shutdown.timeout plus PT5S grace): halting now");
        }
    }
}
