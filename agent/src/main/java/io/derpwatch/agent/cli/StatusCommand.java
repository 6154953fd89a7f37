package io.derpwatch.agent.cli;

import io.derpwatch.agent.home.HomeState;
import io.derpwatch.agent.home.StatusSource;
import io.derpwatch.agent.localapi.LocalApiClient;
import io.derpwatch.agent.log.StderrLogging;
import io.derpwatch.agent.net.NettyTransport;
import io.derpwatch.agent.telemetry.EventEmitter;
import io.derpwatch.agent.telemetry.Telemetry;
import io.derpwatch.agent.view.AgentView;
import io.derpwatch.agent.view.AgentViewCodec;
import io.derpwatch.agent.view.LiveViewSource;
import io.derpwatch.config.AdminSettings;
import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsException;
import io.netty.channel.EventLoopGroup;
import io.opentelemetry.api.OpenTelemetry;
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
            OpenTelemetry noop = OpenTelemetry.noop();
            Telemetry telemetry = new Telemetry(
                    noop.getMeter("derpwatch-status"),
                    new EventEmitter(noop.getLogsBridge().get("derpwatch-status")));
            HomeState state = new HomeState();
            StatusSource source = new StatusSource(
                    group, new LocalApiClient(group, settings.localApi()), settings.status(), telemetry, state);
            source.sampleOnce().get(settings.localApi().timeout().toMillis() * 3, TimeUnit.MILLISECONDS);
            source.stop();
            AgentView view = new LiveViewSource("sample", state, 1, List::of, Clock.systemUTC()).snapshot();
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
}
