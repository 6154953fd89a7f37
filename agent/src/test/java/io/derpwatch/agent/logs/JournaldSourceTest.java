package io.derpwatch.agent.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the journald source splits journalctl's output into lines (the process itself: AgentEndToEndTest). */
class JournaldSourceTest {
    @Test
    void lines_areSplitOnNewlines_cutAtTheMaximum_andALastLineWithoutNewlineKept() throws Exception {
        List<String> lines = new ArrayList<>();
        JournaldSource.readLines(
                new StringReader("magicsock: home is now derp-4 (fra)\r\n" + "x".repeat(50) + "\nNo IP assigned"),
                20,
                lines::add);

        assertThat(lines).containsExactly("magicsock: home is n", "x".repeat(20), "No IP assigned");
    }

    @Test
    void theCommandLine_isJournalctlFollowingTheUnitAsCat() {
        LogsSettings.Journald j = new LogsSettings.Journald(
                "tailscaled", "/usr/bin/journalctl", java.time.Duration.ofSeconds(1), java.time.Duration.ofMinutes(1));

        assertThat(j.commandLine()).containsExactly("/usr/bin/journalctl", "-u", "tailscaled", "-f", "-o", "cat");
    }
}
