package io.derpwatch.agent.cli;

import io.derpwatch.agent.home.HomeSnapshot;
import io.derpwatch.agent.home.HomeState;
import io.derpwatch.agent.home.StatusSource;
import io.derpwatch.agent.localapi.LocalApiClient;
import io.derpwatch.agent.log.StderrLogging;
import io.derpwatch.agent.net.NettyTransport;
import io.derpwatch.agent.telemetry.EventEmitter;
import io.derpwatch.agent.telemetry.Telemetry;
import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsException;
import io.netty.channel.EventLoopGroup;
import io.opentelemetry.api.OpenTelemetry;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = {
            "Print a one-shot summary of this node's home DERP connection, as derpwatch sees it.",
            "Exit 0 when connected to the home DERP region, 1 when not (or tailscaled is unreachable),",
            "2 on a bad configuration."
        })
final class StatusCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions config;

    @Override
    public Integer call() throws Exception {
        DerpwatchSettings settings;
        try {
            settings = config.load().settings();
        } catch (SettingsException e) {
            ConfigOptions.printProblems(e, System.err);
            return ExitCodes.USAGE;
        }
        // The summary says it all; the source's own warnings would repeat it on stderr.
        StderrLogging.quietUnlessChosen();
        EventLoopGroup group = NettyTransport.detect().newGroup(1);
        try {
            OpenTelemetry noop = OpenTelemetry.noop();
            Telemetry telemetry = new Telemetry(
                    noop.getMeter("derpwatch-status"),
                    new EventEmitter(noop.getLogsBridge().get("derpwatch-status")));
            HomeState state = new HomeState();
            StatusSource source = new StatusSource(
                    group, new LocalApiClient(group, settings.localApi()), settings.status(), telemetry, state);
            source.sampleOnce().get(settings.localApi().timeout().toMillis() * 3, TimeUnit.MILLISECONDS);
            source.stop();
            HomeSnapshot snapshot = state.latest().orElseThrow();
            print(snapshot, settings.localApi().socket(), System.out);
            return snapshot.connection().connected() ? ExitCodes.OK : ExitCodes.FAILED;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    static void print(HomeSnapshot s, String socket, PrintStream out) {
        out.printf("%-12s %s%n", "LocalAPI:", socket);
        s.status()
                .ifPresent(st -> out.printf(
                        "%-12s %s (%s)%n",
                        "tailscaled:",
                        st.version().isEmpty() ? "version unknown" : st.version(),
                        st.backendState().isEmpty() ? "no BackendState" : st.backendState()));
        out.printf(
                "%-12s %s%n",
                "home DERP:", s.connection().region().map(r -> r.describe()).orElse("none"));
        String verdict = s.connection().connected() ? "connected" : "NOT connected";
        out.printf(
                "%-12s %s (home_connection=%d, reason %s)%n",
                "connection:",
                verdict,
                s.connection().value(),
                s.connection().reason().wireName());
        s.connection().warning().ifPresent(w -> out.printf("%-12s %s%n", "warning:", w));
        s.error()
                .ifPresent(e ->
                        out.printf("%-12s %s on %s: %s%n", "error:", e.kind().wireName(), e.path(), e.message()));
        s.status().ifPresent(st -> {
            if (!st.health().isEmpty()) {
                out.printf("%-12s %d warning(s)%n", "health:", st.health().size());
                for (String h : st.health()) {
                    out.printf("%-12s - %s%n", "", h);
                }
            }
            st.peers()
                    .ifPresent(p -> out.printf(
                            "%-12s direct %d, derp %d, peer_relay %d, idle %d%n",
                            "peers:", p.direct(), p.derp(), p.peerRelay(), p.idle()));
        });
    }
}
