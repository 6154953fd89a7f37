package io.derpwatch.agent.derpcheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.derpwatch.agent.ipn.FlappingSettings;
import io.derpwatch.agent.ipn.IpnBusSettings;
import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsException;
import io.derpwatch.config.SettingsLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code derpwatch.derp-check} (and the IPN-bus and flapping sections) read through the config loader. */
class DerpCheckSettingsTest {
    @TempDir
    Path dir;

    private DerpwatchSettings load(String hocon) throws Exception {
        Path file = Files.writeString(dir.resolve("derpwatch.conf"), hocon);
        return SettingsLoader.with(Map.of(), new Properties()).load(file);
    }

    @Test
    void defaults_areHomeEveryMinute_systemTrust_twoMinuteThreshold() throws Exception {
        DerpCheckSettings s = load("").section(DerpCheckSettings.Section.class);

        assertThat(s.interval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.regions()).isEqualTo(DerpCheckSettings.Regions.HOME);
        assertThat(s.disagreementThreshold()).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.trust()).isEqualTo(DerpCheckSettings.Trust.SYSTEM);
        assertThat(s.maxRegions()).isEqualTo(40);
    }

    @Test
    void regions_listOfIdsAndCodes_andAPemTrustFile() throws Exception {
        Path pem = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        DerpCheckSettings s = load("derpwatch.derp-check { regions = [1, \"nyc\"], tls.trust = \"" + pem + "\","
                        + " disagreement-threshold = 0s }")
                .section(DerpCheckSettings.Section.class);

        assertThat(s.regions()).isEqualTo(DerpCheckSettings.Regions.LIST);
        assertThat(s.regionIds()).containsExactly("1", "nyc");
        assertThat(s.trust()).isEqualTo(DerpCheckSettings.Trust.FILE);
        assertThat(s.trustFile()).contains(pem);
        assertThat(s.disagreementThreshold()).isZero();
    }

    @Test
    void badValues_areLocatedProblems_allAtOnce() {
        assertThatThrownBy(() -> load("derpwatch.derp-check {\n  regions = some\n  interval = 10ms\n"
                        + "  tls.trust = /no/such/ca.pem\n  disagreement-threshold = -1s\n  max-regions = 0\n}\n"))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("derpwatch.conf: 2: derpwatch.derp-check.regions: unknown value \"some\"")
                .hasMessageContaining("derpwatch.conf: 3: derpwatch.derp-check.interval")
                .hasMessageContaining("derpwatch.conf: 4: derpwatch.derp-check.tls.trust")
                .hasMessageContaining("derpwatch.conf: 5: derpwatch.derp-check.disagreement-threshold")
                .hasMessageContaining("derpwatch.conf: 6: derpwatch.derp-check.max-regions");
    }

    @Test
    void unknownKey_inTheSection_isAProblemWithASuggestion() {
        assertThatThrownBy(() -> load("derpwatch.derp-check.intervall = 10s\n"))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("derpwatch.derp-check.intervall: unknown key (did you mean \"interval\"?");
    }

    @Test
    void ipnBusAndFlapping_areSectionsToo() throws Exception {
        DerpwatchSettings s = load("derpwatch { ipn-bus.max-backoff = 1m, flapping { max-changes = 3, window = 0s } }");

        IpnBusSettings bus = s.section(IpnBusSettings.Section.class);
        assertThat(bus.enabled()).isTrue();
        assertThat(bus.maxBackoff()).isEqualTo(Duration.ofMinutes(1));
        assertThat(s.section(FlappingSettings.Section.class)).isEqualTo(new FlappingSettings(3, Duration.ZERO));
        assertThatThrownBy(() -> load("derpwatch.ipn-bus { backoff = 10s, max-backoff = 1s }\n"))
                .hasMessageContaining("derpwatch.ipn-bus.max-backoff: shorter than backoff");
        assertThatThrownBy(() -> load("derpwatch.flapping.window = -5s\n"))
                .hasMessageContaining("derpwatch.flapping.window");
    }

    @Test
    void insecureTrust_buildsAContext_andAMissingPemIsAClearError() throws Exception {
        DerpCheckSettings insecure =
                load("derpwatch.derp-check.tls.trust = insecure").section(DerpCheckSettings.Section.class);
        assertThat(DerpCheckTls.of(insecure).newEngine("derp1.lab.test", 443).getUseClientMode())
                .isTrue();

        Path notPem = Files.writeString(dir.resolve("junk.pem"), "not a certificate\n");
        DerpCheckSettings junk =
                load("derpwatch.derp-check.tls.trust = \"" + notPem + "\"").section(DerpCheckSettings.Section.class);
        assertThatThrownBy(() -> DerpCheckTls.of(junk))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("derpwatch.derp-check.tls.trust: cannot use " + notPem);
        // built in the background, but a file that is not PEM still fails at once
        assertThatThrownBy(() -> DerpCheckTls.inBackground(junk))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("derpwatch.derp-check.tls.trust: cannot use " + notPem);
        assertThat(DerpCheckTls.inBackground(insecure).get(60, java.util.concurrent.TimeUnit.SECONDS))
                .isNotNull();
        assertThat(List.of(DerpCheckSettings.Trust.values())).hasSize(3);
    }
}
