package io.derpwatch.agent.cli;

import io.derpwatch.agent.derp.DerpMapSource;
import io.derpwatch.agent.derp.NodeDerpMap;
import io.derpwatch.agent.home.HomeSnapshot;
import io.derpwatch.agent.home.StatusSource;
import io.derpwatch.agent.localapi.LocalApiClient;
import io.derpwatch.agent.log.StderrLogging;
import io.derpwatch.agent.net.NettyTransport;
import io.derpwatch.agent.source.AgentClock;
import io.derpwatch.agent.source.SampleContext;
import io.derpwatch.agent.source.SourceError;
import io.derpwatch.agent.state.StateStore;
import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsException;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
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
            // the agent's own samplers, run once each, without the agent's scheduler or telemetry
            LocalApiClient client = new LocalApiClient(group, settings.localApi());
            StateStore state = new StateStore();
            EventLoop loop = group.next();
            OneShotContext context = new OneShotContext();
            DerpMapSource derpMap = new DerpMapSource(client);
            StatusSource status = new StatusSource(
                    client,
                    state,
                    () -> derpMap.sample(context).handle((m, e) -> {
                        if (m != null) {
                            state.publish(NodeDerpMap.TOPIC, m);
                        }
                        return null;
                    }));
            long waitMillis = settings.localApi().timeout().toMillis() * 3;
            HomeSnapshot snapshot = CompletableFuture.supplyAsync(() -> status.sample(context), loop)
                    .thenCompose(f -> f)
                    .get(waitMillis, TimeUnit.MILLISECONDS);
            print(snapshot, settings.localApi().socket(), System.out);
            return snapshot.connection().connected() ? ExitCodes.OK : ExitCodes.FAILED;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** A sample's context for one run: the real clock; errors show in the summary already. */
    private static final class OneShotContext implements SampleContext {
        @Override
        public void error(SourceError error) {}

        @Override
        public AgentClock clock() {
            return AgentClock.system();
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
