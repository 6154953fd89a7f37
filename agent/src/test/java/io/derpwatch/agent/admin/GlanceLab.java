package io.derpwatch.agent.admin;

import static org.junit.jupiter.api.Assertions.fail;

import io.derpwatch.agent.Agent;
import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsLoader;
import io.derpwatch.lab.LabNodeState;
import io.derpwatch.lab.LocalApiEmulator;
import io.derpwatch.lab.net.Coturn;
import io.derpwatch.lab.net.DemoNetwork;
import io.derpwatch.sinks.SinkContext;
import io.derpwatch.sinks.runtime.SinkCatalog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Assumptions;

/**
 * The agent running on the lab, for the status page and {@code /metrics} tests: the LocalAPI emulator (home
 * region {@code lab-mid}), four loopback DERP regions of the demo network (coturn behind delay proxies), netcheck
 * every second, the admin server on 127.0.0.1 with the Prometheus endpoint on.
 */
final class GlanceLab implements AutoCloseable {
    /** The lab's home region: in the netcheck map (id 902), not the preferred one (lab-near is nearer). */
    static final String HOME = "lab-mid";

    static final String HOME_NAME = "Lab middle";

    final LocalApiEmulator tailscaled;
    final DemoNetwork network;
    final Agent agent;
    private final HttpClient http = HttpClient.newHttpClient();

    private GlanceLab(LocalApiEmulator tailscaled, DemoNetwork network, Agent agent) {
        this.tailscaled = tailscaled;
        this.network = network;
        this.agent = agent;
    }

    static GlanceLab start(Path dir) throws Exception {
        require("turnserver", Coturn.executable().isPresent(), "apt-get install -y coturn");
        LocalApiEmulator tailscaled = LocalApiEmulator.start(dir.resolve("tailscaled.sock"));
        tailscaled.setState(LabNodeState.connected(HOME));
        DemoNetwork network = null;
        try {
            network = DemoNetwork.start(Files.createDirectories(dir.resolve("derp")));
            Properties props = new Properties();
            props.setProperty("derpwatch.localapi.socket", tailscaled.socket().toString());
            props.setProperty("derpwatch.status.interval", "300ms");
            props.setProperty("derpwatch.admin.host", "127.0.0.1");
            props.setProperty("derpwatch.admin.port", "0");
            props.setProperty("derpwatch.admin.prometheus.enabled", "true");
            props.setProperty("derpwatch.admin.state-history", "10");
            props.setProperty("derpwatch.telemetry.export-interval", "1h"); // the sinks are not under test
            props.setProperty("derpwatch.netcheck.enabled", "true");
            props.setProperty("derpwatch.netcheck.interval", "1s");
            props.setProperty("derpwatch.netcheck.stun-timeout", "500ms");
            props.setProperty("derpwatch.netcheck.ipv6", "false");
            props.setProperty("derpwatch.netcheck.captive-portal.enabled", "false");
            props.setProperty("derpwatch.netcheck.derp-map.source", "file");
            props.setProperty(
                    "derpwatch.netcheck.derp-map.file", network.derpMap().toString());
            List<SinkCatalog.ConfiguredSink> sinks = new ArrayList<>();
            SinkCatalog catalog = SinkCatalog.load();
            DerpwatchSettings settings = SettingsLoader.with(Map.of(), props)
                    .load(null, (all, problems) -> sinks.addAll(catalog.configure(all, problems)));
            Agent agent = Agent.start(
                    settings,
                    sinks,
                    new SinkContext(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)),
                    Agent.Mode.CONTINUOUS,
                    Map.of("HOSTNAME", "lab-node"));
            return new GlanceLab(tailscaled, network, agent);
        } catch (Exception | Error e) {
            if (network != null) {
                network.close();
            }
            tailscaled.close();
            throw e;
        }
    }

    /** Skips the calling test with a message when {@code what} is missing, fails it instead when CI=true. */
    static void require(String what, boolean present, String install) {
        if (present) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail(what + " is required in CI: " + install);
        }
        Assumptions.abort(what + " is not installed: skipping (" + install + ")");
    }

    /** The lab loses the home DERP connection the way tailscaled reports it. */
    void loseHomeDerp() {
        tailscaled.update(s -> s.withHealth(LabNodeState.noDerpConnectionWarning(HOME_NAME)));
    }

    String base() {
        return "http://127.0.0.1:" + agent.adminPort();
    }

    HttpResponse<String> get(String path, String accept) throws IOException, InterruptedException {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(10));
        if (accept != null) {
            b.header("Accept", accept);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        agent.close();
        network.close();
        tailscaled.close();
    }
}
