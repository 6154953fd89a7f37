package io.derpwatch.agent.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.derpwatch.agent.insight.InsightSettings;
import io.derpwatch.agent.peers.PeersSettings;
import io.derpwatch.agent.ping.PingSettings;
import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsException;
import io.derpwatch.config.SettingsLoader;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The agent's own config sections (peers, peers.ping, logs, insights) are found through META-INF/services and
 * read when the configuration loads: their defaults come from reference.conf, and a bad value is a located
 * problem of the load, not an exception at start.
 */
class AgentSectionsTest {
    private static DerpwatchSettings load(Map<String, String> overrides) throws SettingsException {
        Properties props = new Properties();
        overrides.forEach(props::setProperty);
        return SettingsLoader.with(Map.of(), props).load(null, (all, problems) -> {});
    }

    @Test
    void theDefaults_areReadFromReferenceConf() throws Exception {
        DerpwatchSettings s = load(Map.of());

        assertThat(s.section(PeersSettings.Section.class).timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.section(PingSettings.Section.class).targets()).isEmpty();
        assertThat(s.section(LogsSettings.Section.class).journald().commandLine())
                .containsExactly("journalctl", "-u", "tailscaled", "-f", "-o", "cat");
        assertThat(s.section(InsightSettings.Section.class).flappingWindow()).isEqualTo(Duration.ofMinutes(30));
        assertThat(s.section(LogsSettings.Section.class).logtap())
                .isEqualTo(new LogsSettings.Logtap(256 * 1024, Duration.ofSeconds(1), Duration.ofMinutes(1)));
    }

    @Test
    void aBadValue_isAProblemOfTheLoad_namingItsPath() {
        assertThatThrownBy(() -> load(Map.of(
                        "derpwatch.logs.source", "syslog",
                        "derpwatch.peers.ping.concurrency", "0",
                        "derpwatch.insights.forced-derp.share", "2",
                        "derpwatch.logs.logtap-max-record-size", "8")))
                .isInstanceOf(SettingsException.class)
                .satisfies(e -> assertThat(((SettingsException) e).problems())
                        .extracting(ConfigProblem::toString)
                        .anySatisfy(p -> assertThat(p).contains("derpwatch.logs.source"))
                        .anySatisfy(p -> assertThat(p).contains("derpwatch.peers.ping.concurrency"))
                        .anySatisfy(p -> assertThat(p).contains("derpwatch.insights.forced-derp.share"))
                        .anySatisfy(p -> assertThat(p).contains("derpwatch.logs.logtap-max-record-size")));
    }
}
