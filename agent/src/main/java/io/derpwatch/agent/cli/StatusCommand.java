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
import io.derpwatch.agent.view.AgentView;
import io.derpwatch.agent.view.AgentViewCodec;
import io.derpwatch.agent.view.StateViewSource;
import io.derpwatch.config.AdminSettings;
import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsException;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = {
            "Print a summary of this node's DERP picture: from a running agent's /api/state when one answers,",
            "else from a one-shot sample of tailscaled's status.",
            "Exit 0 when connected to the home DERP region, 1 when not (or tailscaled is unreachable),",
            "2 on a bad configuration."
        })
final class StatusCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions config;

    @Option(
            names = "--format",
            defaultValue = "text",
            description = "text (a summary) or json (the /api/state document, docs/status-page.md)")
    String format;

    @Option(
            names = "--agent",
            description = "a running agent's admin address to read /api/state from (default: the configured"
                    + " derpwatch.admin host and port; none = always take a one-shot sample)")
    String agent;

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
        if (!format.equals("text") && !format.equals("json")) {
            System.err.println("--format must be text or json, not " + format);
            return ExitCodes.USAGE;
        }
        String base = agent == null ? agentAddress(settings.admin()) : agent;
        Optional<AgentView> running = base.equals("none") || !settings.admin().enabled() && agent == null
                ? Optional.empty()
                : fromAgent(base, agent != null);
        if (running.isPresent()) {
            return print(running.get(), base);
        }
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
            state.publish(HomeSnapshot.TOPIC, snapshot);
            // the same view the agent serves, over this one-shot store (no netcheck, events or sinks here)
            AgentView view = StateViewSource.subscribe("sample", state, 1, List::of, Clock.systemUTC())
                    .snapshot();
            return print(view, settings.localApi().socket());
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private int print(AgentView view, String origin) {
        if (format.equals("json")) {
            System.out.println(new String(AgentViewCodec.write(view), StandardCharsets.UTF_8));
        } else {
            new StatusSummary(System.console() != null && System.getenv("NO_COLOR") == null)
                    .print(view, origin, System.out);
        }
        return view.home().connected() ? ExitCodes.OK : ExitCodes.FAILED;
    }

    /** A running agent's view from its {@code /api/state}, or empty when none answers. */
    static Optional<AgentView> fromAgent(String base, boolean explicit) {
        try {
            HttpClient client = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(2))
                    .build();
            HttpResponse<byte[]> res = client.send(
                    HttpRequest.newBuilder(URI.create(base + "/api/state"))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (res.statusCode() != 200) {
                throw new IOException("HTTP " + res.statusCode() + " from " + base + "/api/state");
            }
            return Optional.of(AgentViewCodec.read(res.body()));
        } catch (IOException | IllegalArgumentException e) {
            if (explicit) {
                System.err.println(
                        "derpwatch status: no agent view from " + base + " (" + e + "); taking a one-shot sample");
            }
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static String agentAddress(AdminSettings admin) {
        String host = admin.host().equals("0.0.0.0") || admin.host().equals("::") ? "127.0.0.1" : admin.host();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + admin.port();
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
}
