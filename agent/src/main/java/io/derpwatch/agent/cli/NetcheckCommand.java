package io.derpwatch.agent.cli;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpMapCodec;
import io.derpwatch.agent.derp.DerpMapException;
import io.derpwatch.agent.localapi.LocalApiClient;
import io.derpwatch.agent.localapi.LocalApiResponse;
import io.derpwatch.agent.net.NettyTransport;
import io.derpwatch.agent.netcheck.DerpMapLoader;
import io.derpwatch.agent.netcheck.NetcheckProber;
import io.derpwatch.agent.netcheck.NetcheckReport;
import io.derpwatch.agent.netcheck.NetcheckSource;
import io.derpwatch.agent.netcheck.PreferredRegionSelector;
import io.derpwatch.agent.netcheck.RegionLatency;
import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.LocalApiSettings;
import io.derpwatch.config.NetcheckSettings;
import io.derpwatch.config.SettingsException;
import io.derpwatch.config.SettingsLoader;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code derpwatch netcheck}: one full netcheck report, printed in {@code tailscale netcheck}'s text layout or as
 * a {@code netcheck.Report}-compatible JSON object. Exit status 0 when at least one region answered, 1 when none
 * did, 2 for configuration or DERP-map problems.
 */
@Command(
        name = "netcheck",
        mixinStandardHelpOptions = true,
        description = "Measure every DERP region once (STUN, HTTPS fallback) and print the report.")
final class NetcheckCommand implements Callable<Integer> {

    /** Output formats. */
    enum Format {
        text,
        json
    }

    @Option(
            names = "--derp-map",
            paramLabel = "FILE|URL",
            description = "DERP map to measure (a file or an http(s) URL; tailcfg.DERPMap or policy derpMap form)."
                    + " Default: derpwatch.netcheck.derp-map.")
    String derpMap;

    @Option(
            names = "--format",
            paramLabel = "text|json",
            defaultValue = "text",
            description =
                    "Output format: text (tailscale's layout) or json (netcheck.Report). Default: ${DEFAULT-VALUE}.")
    Format format;

    @Option(names = "--verbose", description = "Show region ids in the latency list and log more.")
    boolean verbose;

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "Configuration file (HOCON).")
    Path config;

    @Spec
    CommandSpec spec;

    private final Supplier<CompletableFuture<byte[]>> localApiDerpMap;

    /** Reads the DERP map from tailscaled's LocalAPI (derpwatch.localapi.socket) when the source is localapi. */
    NetcheckCommand() {
        this(null);
    }

    /** @param localApiDerpMap {@code GET /localapi/v0/derpmap}'s body, for {@code derp-map.source = localapi} */
    NetcheckCommand(Supplier<CompletableFuture<byte[]>> localApiDerpMap) {
        this.localApiDerpMap = localApiDerpMap;
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        NetcheckSettings settings;
        LocalApiSettings localApiSettings;
        try {
            DerpwatchSettings all = SettingsLoader.forProcess().load(config);
            settings = all.netcheck();
            localApiSettings = all.localApi();
        } catch (SettingsException e) {
            e.problems().forEach(p -> err.println(p));
            err.flush();
            return 2;
        }
        EventLoopGroup group = NettyTransport.detect().newGroup(1);
        Supplier<CompletableFuture<byte[]>> localApi = localApiDerpMap;
        if (localApi == null && settings.derpMap().source().equals("localapi")) {
            LocalApiClient client = new LocalApiClient(group, localApiSettings);
            localApi = () -> client.get(io.derpwatch.agent.localapi.LocalApiPaths.DERP_MAP)
                    .thenApply(LocalApiResponse::body);
        }
        try {
            EventLoop loop = group.next();
            NettyTransport transport = NettyTransport.forGroup(group);
            try (NetcheckProber prober = new NetcheckProber(
                    loop, transport, settings, NetcheckSource.defaultSsl(), r -> {}, Clock.systemUTC(), 80)) {
                DerpMapLoader loader = new DerpMapLoader(
                        settings.derpMap(),
                        new DerpMapCodec(localApiSettings.limits()),
                        localApi,
                        prober,
                        ForkJoinPool.commonPool());
                DerpMap map;
                try {
                    map = (derpMap != null ? loader.loadFrom(derpMap) : loader.load()).get(30, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    if (derpMap != null || !settings.derpMap().source().equals("localapi")) {
                        err.println("derpwatch netcheck: " + DerpMapLoader.rootMessage(e));
                        err.flush();
                        return 2;
                    }
                    // no tailscaled here (a laptop, a CI box): measure the default map instead, and say so
                    err.println("derpwatch netcheck: " + DerpMapLoader.rootMessage(e) + "; using "
                            + settings.derpMap().url());
                    err.flush();
                    try {
                        map = loader.loadFrom(settings.derpMap().url()).get(30, TimeUnit.SECONDS);
                    } catch (ExecutionException | TimeoutException e2) {
                        err.println("derpwatch netcheck: " + DerpMapLoader.rootMessage(e2));
                        err.flush();
                        return 2;
                    }
                }
                if (map.isEmpty()) {
                    err.println("derpwatch netcheck: the DERP map has no regions");
                    err.flush();
                    return 2;
                }
                NetcheckReport report;
                try {
                    report = prober.run(map, progress(map, err))
                            .get(settings.timeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    err.println("derpwatch netcheck: " + DerpMapLoader.rootMessage(e));
                    err.flush();
                    return 1;
                }
                report = new PreferredRegionSelector(settings.preferredHistory()).select(report, map, report.now());
                if (format == Format.json) {
                    out.println(NetcheckFormats.json(report, settings.reportPublicAddresses()));
                } else {
                    out.print(NetcheckFormats.text(report, map, settings.reportPublicAddresses(), verbose));
                }
                out.flush();
                if (!report.anyRegionAnswered()) {
                    err.println("derpwatch netcheck: no DERP region answered");
                    err.flush();
                    return 1;
                }
                return 0;
            }
        } catch (DerpMapException e) {
            err.println("derpwatch netcheck: " + e.getMessage());
            err.flush();
            return 2;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** Live per-region progress on stderr, only when a person is watching (a terminal). */
    private static Consumer<RegionLatency> progress(DerpMap map, PrintWriter err) {
        if (System.console() == null) {
            return l -> {};
        }
        return l -> {
            String code = map.region(l.regionId()).map(r -> r.code()).orElse(String.valueOf(l.regionId()));
            err.printf(
                    "  %s %s over %s: %s%n",
                    code,
                    l.probe().attribute(),
                    l.family().networkType(),
                    GoFormats.goDuration(GoFormats.round(l.latency().toNanos(), 100_000)));
            err.flush();
        };
    }
}
