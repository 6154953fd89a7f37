package io.derpwatch.agent.cli;

import io.derpwatch.agent.localapi.LocalApiClient;
import io.derpwatch.agent.localapi.LocalApiException;
import io.derpwatch.agent.localapi.LocalApiResponse;
import io.derpwatch.agent.net.NettyTransport;
import io.derpwatch.agent.peers.PeerPath;
import io.derpwatch.agent.peers.PeerStatusCodec;
import io.derpwatch.agent.peers.PeerStatusException;
import io.derpwatch.agent.ping.PingCodec;
import io.derpwatch.agent.ping.PingException;
import io.derpwatch.agent.ping.PingFormats;
import io.derpwatch.agent.ping.PingResult;
import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsException;
import io.netty.channel.EventLoopGroup;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "ping",
        mixinStandardHelpOptions = true,
        description = {
            "Ping a peer through tailscaled (LocalAPI disco ping) and print one line per try with the path it",
            "took (a direct endpoint, a DERP region, a peer relay) and the latency, like 'tailscale ping'.",
            "Exit 0 when a pong came back, 1 when none did (timeouts, unknown peer, tailscaled unreachable),",
            "2 on a bad command line or configuration."
        })
final class PingCommand implements Callable<Integer> {
    static final String PING_PATH = "/localapi/v0/ping";

    @Parameters(index = "0", paramLabel = "PEER", description = "Host name, MagicDNS name or Tailscale IP.")
    String peer;

    @Option(
            names = "--count",
            paramLabel = "N",
            defaultValue = "10",
            description = "Tries at most (stops at the first direct pong). Default: ${DEFAULT-VALUE}.")
    int count;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "5s",
            converter = DurationConverter.class,
            description = "How long to wait for each pong. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(names = "--verbose", description = "Add the path classification and DERP region id to each line.")
    boolean verbose;

    @Option(names = "--type", paramLabel = "disco|TSMP", defaultValue = "disco", description = "Ping type.")
    String type;

    @Mixin
    ConfigOptions config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (count < 1 || timeout.isNegative() || timeout.isZero() || !(type.equals("disco") || type.equals("TSMP"))) {
            err.println("derpwatch ping: --count must be >= 1, --timeout positive, --type disco or TSMP");
            err.flush();
            return ExitCodes.USAGE;
        }
        DerpwatchSettings settings;
        try {
            settings = config.load().settings();
        } catch (SettingsException e) {
            e.problems().forEach(err::println);
            err.flush();
            return ExitCodes.USAGE;
        }
        EventLoopGroup group = NettyTransport.detect().newGroup(1);
        try {
            Path socket = Path.of(settings.localApi().socket());
            LocalApiClient status = new LocalApiClient(group, settings.localApi());
            LocalApiClient pinger = new LocalApiClient(group, socket, timeout, 64 * 1024);
            Optional<String> ip;
            try {
                ip = resolve(status, settings);
            } catch (ExecutionException | TimeoutException | PeerStatusException e) {
                err.println("derpwatch ping: cannot read the peers from " + socket + ": " + message(e));
                err.flush();
                return ExitCodes.FAILED;
            }
            if (ip.isEmpty()) {
                err.println("derpwatch ping: no peer named " + peer + " in this tailnet");
                err.flush();
                return ExitCodes.FAILED;
            }
            PingCodec codec = new PingCodec();
            int pongs = 0;
            String query = PING_PATH + "?ip=" + URLEncoder.encode(ip.get(), StandardCharsets.UTF_8) + "&type=" + type;
            for (int i = 0; i < count; i++) {
                PingResult r;
                try {
                    LocalApiResponse response =
                            pinger.post(query).get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
                    r = codec.parse(response.body());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof LocalApiException l && l.kind() == LocalApiException.Kind.TIMEOUT) {
                        out.println("ping \"" + ip.get() + "\" timed out");
                        out.flush();
                        continue;
                    }
                    err.println("derpwatch ping: " + message(e));
                    err.flush();
                    return pongs > 0 ? ExitCodes.OK : ExitCodes.FAILED;
                } catch (TimeoutException e) {
                    out.println("ping \"" + ip.get() + "\" timed out");
                    out.flush();
                    continue;
                } catch (PingException e) {
                    err.println("derpwatch ping: " + e.getMessage());
                    err.flush();
                    return ExitCodes.FAILED;
                }
                out.println(PingFormats.line(r, verbose));
                out.flush();
                if (!r.ok()) {
                    return pongs > 0 ? ExitCodes.OK : ExitCodes.FAILED; // tailscaled's answer will not change
                }
                pongs++;
                if (r.localIp() || r.path().kind() == PeerPath.DIRECT) {
                    break; // as tailscale ping does: a direct path is what it was waiting for
                }
            }
            if (pongs == 0) {
                err.println("derpwatch ping: no reply from " + peer + " in " + count + " tries");
                err.flush();
                return ExitCodes.FAILED;
            }
            return ExitCodes.OK;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private Optional<String> resolve(LocalApiClient status, DerpwatchSettings settings)
            throws ExecutionException, TimeoutException, InterruptedException, PeerStatusException {
        if (peer.matches("[0-9.]+") || (peer.contains(":") && peer.matches("[0-9a-fA-F:]+"))) {
            return Optional.of(peer);
        }
        LocalApiResponse r = status.get("/localapi/v0/status")
                .get(settings.localApi().timeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        return PeerStatusCodec.findAddress(r.body(), peer);
    }

    private static String message(Throwable e) {
        Throwable t = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
