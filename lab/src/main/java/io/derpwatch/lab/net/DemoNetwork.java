package io.derpwatch.lab.net;

import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A few DERP regions on loopback for {@code derpwatch demo}: coturn answers STUN on 127.0.0.x, a delay proxy in
 * front of each region adds a known latency, and {@link #derpMap()} is a DERP map file pointing at the proxies.
 * Needs Debian's coturn ({@code turnserver}); see {@link Coturn#executable()}.
 */
public final class DemoNetwork implements AutoCloseable {
    /** Region code, name and the delay its proxy adds. */
    private record Region(int id, String code, String name, Duration delay) {}

    private static final List<Region> REGIONS = List.of(
            new Region(901, "lab-near", "Lab near", Duration.ofMillis(4)),
            new Region(902, "lab-mid", "Lab middle", Duration.ofMillis(25)),
            new Region(903, "lab-far", "Lab far", Duration.ofMillis(80)),
            new Region(904, "lab-farther", "Lab farther", Duration.ofMillis(150)));

    private final EventLoopGroup group;
    private final Coturn coturn;
    private final UdpNatProxy proxy;
    private final Path derpMap;

    private DemoNetwork(EventLoopGroup group, Coturn coturn, UdpNatProxy proxy, Path derpMap) {
        this.group = group;
        this.coturn = coturn;
        this.proxy = proxy;
        this.derpMap = derpMap;
    }

    /** Starts coturn and the proxies and writes the DERP map into {@code dir}. */
    public static DemoNetwork start(Path dir) throws IOException, InterruptedException {
        List<InetAddress> stunAddresses = new ArrayList<>();
        for (int i = 0; i < REGIONS.size(); i++) {
            stunAddresses.add(InetAddress.getByName("127.0.0." + (20 + i)));
        }
        Coturn coturn = Coturn.start(stunAddresses);
        EventLoopGroup group = LabEventLoops.newGroup(1);
        try {
            List<UdpNatProxy.Route> routes = new ArrayList<>();
            for (int i = 0; i < REGIONS.size(); i++) {
                routes.add(new UdpNatProxy.Route(
                        new InetSocketAddress("127.0.1." + (20 + i), 0),
                        coturn.address(stunAddresses.get(i)),
                        REGIONS.get(i).delay(),
                        false));
            }
            UdpNatProxy proxy = UdpNatProxy.start(group, UdpNatProxy.Mapping.ENDPOINT_INDEPENDENT, routes);
            StringBuilder json = new StringBuilder("{\"Regions\": {");
            for (int i = 0; i < REGIONS.size(); i++) {
                Region r = REGIONS.get(i);
                InetSocketAddress a = proxy.address(i);
                json.append(i == 0 ? "" : ",")
                        .append(String.format(
                                "\"%d\": {\"RegionID\": %d, \"RegionCode\": \"%s\", \"RegionName\": \"%s\", \"Nodes\": [{"
                                        + "\"Name\": \"%da\", \"RegionID\": %d, \"HostName\": \"localhost\", \"IPv4\": \"%s\", "
                                        + "\"IPv6\": \"none\", \"STUNPort\": %d, \"STUNOnly\": true}]}",
                                r.id(),
                                r.id(),
                                r.code(),
                                r.name(),
                                r.id(),
                                r.id(),
                                a.getAddress().getHostAddress(),
                                a.getPort()));
            }
            json.append("}}\n");
            Path map = Files.writeString(dir.resolve("demo-derpmap.json"), json.toString(), StandardCharsets.UTF_8);
            return new DemoNetwork(group, coturn, proxy, map);
        } catch (IOException | InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            coturn.close();
            throw e;
        }
    }

    /** The DERP map file of the demo regions (tailcfg.DERPMap form). */
    public Path derpMap() {
        return derpMap;
    }

    /** One line per region for the demo's banner. */
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < REGIONS.size(); i++) {
            Region r = REGIONS.get(i);
            out.add(r.code() + " (" + r.id() + ") at " + proxy.address(i) + ", +"
                    + r.delay().toMillis() + " ms");
        }
        return out;
    }

    @Override
    public void close() {
        proxy.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        coturn.close();
    }
}
