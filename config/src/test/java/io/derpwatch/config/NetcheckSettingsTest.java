package io.derpwatch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetcheckSettingsTest {
    @TempDir
    Path dir;

    private NetcheckSettings load(String user) throws Exception {
        StringBuilder conf = new StringBuilder();
        if (!com.typesafe.config.ConfigFactory.parseResources("reference.conf")
                .hasPath("derpwatch.sink-types.stdout")) {
            conf.append("derpwatch.sink-types.stdout.enabled = true\n"); // until the sinks module is on the classpath
        }
        conf.append(user);
        Path file = Files.writeString(dir.resolve("derpwatch.conf"), conf.toString());
        return SettingsLoader.with(Map.of(), new Properties()).load(file).netcheck();
    }

    @Test
    void defaults_followTailscale_andKeepPublicAddressesOff() throws Exception {
        NetcheckSettings s = load("");

        assertThat(s.enabled()).isTrue();
        assertThat(s.interval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.tries()).isEqualTo(3);
        assertThat(s.tryInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(s.preferredHistory()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.reportPublicAddresses()).isFalse();
        assertThat(s.httpsFallback().enabled()).isTrue();
        assertThat(s.captivePortal().enabled()).isTrue();
        assertThat(s.derpMap().source()).isEqualTo("localapi");
        assertThat(s.derpMap().url()).isEqualTo("https://controlplane.tailscale.com/derpmap/default");
        assertThat(s.derpMap().regionsJson()).isEqualTo("{}");
    }

    @Test
    void customRegions_becomeJsonForTheDerpMapCodec() throws Exception {
        NetcheckSettings s = load("""
                derpwatch.netcheck.derp-map {
                  omit-default-regions = true
                  regions {
                    900 { RegionCode = "lab", RegionName = "Lab", Nodes = [ { Name = "900a", HostName = "derp.lab.test" } ] }
                  }
                }
                """);

        Config regions = ConfigFactory.parseString(
                s.derpMap().regionsJson(),
                ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON)); // strict JSON, or this throws
        assertThat(s.derpMap().omitDefaultRegions()).isTrue();
        assertThat(regions.getString("\"900\".RegionCode")).isEqualTo("lab");
        assertThat(regions.getConfigList("\"900\".Nodes").get(0).getString("HostName"))
                .isEqualTo("derp.lab.test");
    }

    @Test
    void badValues_areAllReported() {
        assertThatThrownBy(() -> load("""
                derpwatch.netcheck {
                  tries = 0
                  derp-map.source = ftp
                  derp-map.regions { 12 { RegionCode = x } }
                }
                """))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("derpwatch.netcheck.tries: value 0 out of range (expected 1 to 10)")
                .hasMessageContaining("derpwatch.netcheck.derp-map.source: unknown value \"ftp\"")
                .hasMessageContaining("region id \"12\" out of range (expected 900 to 999)");
    }

    @Test
    void fileSource_needsAFile() {
        assertThatThrownBy(() -> load("derpwatch.netcheck.derp-map.source = file\n"))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("derpwatch.netcheck.derp-map.file: no DERP map file given");
    }
}
