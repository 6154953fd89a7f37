package io.derpwatch.agent.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpMapCodec;
import io.derpwatch.agent.derp.DerpMapException;
import io.derpwatch.agent.derp.DerpNode;
import io.derpwatch.agent.derp.DerpRegion;
import io.derpwatch.agent.localapi.LocalApiClient;
import io.derpwatch.agent.localapi.LocalApiPaths;
import io.derpwatch.agent.localapi.LocalApiResponse;
import io.derpwatch.agent.net.NettyTransport;
import io.derpwatch.agent.netcheck.DerpMapLoader;
import io.derpwatch.agent.netcheck.NetcheckProber;
import io.derpwatch.agent.netcheck.NetcheckSource;
import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsException;
import io.derpwatch.config.SettingsLoader;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code derpwatch derpmap}: the node's DERP map (or a file's or URL's) as a region table. */
@Command(
        name = "derpmap",
        mixinStandardHelpOptions = true,
        description = {
            "Print the DERP map as a region table: id, code, name, nodes, STUN port, flags (Avoid,",
            "NoMeasureNoHome), custom regions marked. Exit 0 with a map, 1 when no map could be loaded or it",
            "has no regions, 2 on a bad command line or configuration."
        })
public final class DerpMapCommand implements Callable<Integer> {
    enum Format {
        text,
        json
    }

    @Option(
            names = "--derp-map",
            paramLabel = "FILE|URL",
            description = "Read this map instead of the configured one (derpwatch.netcheck.derp-map).")
    String derpMap;

    @Option(
            names = "--format",
            paramLabel = "text|json",
            defaultValue = "text",
            description = "Default: ${DEFAULT-VALUE}.")
    Format format;

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "Configuration file (HOCON).")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DerpwatchSettings all;
        try {
            all = SettingsLoader.forProcess().load(config);
        } catch (SettingsException e) {
            e.problems().forEach(err::println);
            err.flush();
            return 2;
        }
        EventLoopGroup group = NettyTransport.detect().newGroup(1);
        try (NetcheckProber prober = new NetcheckProber(
                group.next(),
                NettyTransport.forGroup(group),
                all.netcheck(),
                NetcheckSource.defaultSsl(),
                r -> {},
                Clock.systemUTC(),
                80)) {
            LocalApiClient client = new LocalApiClient(group, all.localApi());
            Supplier<CompletableFuture<byte[]>> localApi =
                    () -> client.get(LocalApiPaths.DERP_MAP).thenApply(LocalApiResponse::body);
            DerpMapLoader loader = new DerpMapLoader(
                    all.netcheck().derpMap(),
                    new DerpMapCodec(all.localApi().limits()),
                    localApi,
                    prober,
                    ForkJoinPool.commonPool());
            DerpMap map;
            try {
                map = (derpMap != null ? loader.loadFrom(derpMap) : loader.load()).get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                err.println("derpwatch derpmap: " + DerpMapLoader.rootMessage(e));
                err.flush();
                return 1;
            }
            if (map.isEmpty()) {
                err.println("derpwatch derpmap: the DERP map has no regions");
                err.flush();
                return 1;
            }
            out.print(format == Format.json ? json(map) : text(map));
            out.flush();
            return 0;
        } catch (DerpMapException e) {
            err.println("derpwatch derpmap: " + e.getMessage());
            err.flush();
            return 2;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** Custom regions: every region of a map that omits the defaults, and ids 900-999 otherwise. */
    static boolean custom(DerpMap map, DerpRegion r) {
        return map.omitDefaultRegions() || (r.id() >= 900 && r.id() <= 999);
    }

    static String text(DerpMap map) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%-5s %-8s %-24s %5s %5s  %s%n", "ID", "CODE", "NAME", "NODES", "STUN", "FLAGS"));
        for (DerpRegion r : map.regions().values()) {
            b.append(String.format(
                    "%-5d %-8s %-24s %5d %5s  %s%n",
                    r.id(), r.code(), r.name(), r.nodes().size(), stunPorts(r), String.join(",", flags(map, r))));
        }
        if (map.omitDefaultRegions()) {
            b.append("OmitDefaultRegions: true (only the custom regions above are used)\n");
        }
        return b.toString();
    }

    static String json(DerpMap map) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            g.writeStartObject();
            g.writeBooleanField("OmitDefaultRegions", map.omitDefaultRegions());
            g.writeArrayFieldStart("Regions");
            for (DerpRegion r : map.regions().values()) {
                g.writeStartObject();
                g.writeNumberField("RegionID", r.id());
                g.writeStringField("RegionCode", r.code());
                g.writeStringField("RegionName", r.name());
                g.writeNumberField("Nodes", r.nodes().size());
                g.writeStringField("STUNPort", stunPorts(r));
                g.writeArrayFieldStart("Flags");
                for (String f : flags(map, r)) {
                    g.writeString(f);
                }
                g.writeEndArray();
                g.writeBooleanField("Custom", custom(map, r));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w + "\n";
    }

    private static List<String> flags(DerpMap map, DerpRegion r) {
        List<String> f = new ArrayList<>();
        if (custom(map, r)) {
            f.add("custom");
        }
        if (r.avoid()) {
            f.add("Avoid");
        }
        if (r.noMeasureNoHome()) {
            f.add("NoMeasureNoHome");
        }
        return f;
    }

    private static String stunPorts(DerpRegion r) {
        Set<String> ports = new TreeSet<>();
        for (DerpNode n : r.nodes()) {
            ports.add(n.effectiveStunPort() < 0 ? "-" : String.valueOf(n.effectiveStunPort()));
        }
        return ports.isEmpty() ? "-" : String.join("/", ports);
    }
}
