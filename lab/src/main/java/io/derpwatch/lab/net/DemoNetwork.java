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
import org.jspecify.annotations.Nullable;

/**
 * A few DERP regions on loopback for {@code derpwatch demo}: a STUN server answers on 127.0.0.x (Debian's coturn
 * when it is installed, else the lab's in-process {@link LabStunResponder}), a delay proxy in front of each region
 * adds a known latency, and {@link #derpMap()} is the DERP map of those regions. The demo's lab tailscaled serves
 * the same map, with {@link #HOME_CODE} as its home region, so the home rule and netcheck see one tailnet.
 */
public final class DemoNetwork implements AutoCloseable {
    /** Region code, name and the delay its proxy adds. */
    private record Region(int id, String code, String name, Duration delay) {}

    private static final List<Region> REGIONS = List.of(
            new Region(901, "lab-near", "Lab near", Duration.ofMillis(4)),
            new Region(902, "lab-mid", "Lab middle", Duration.ofMillis(25)),
            new Region(903, "lab-far", "Lab far", Duration.ofMillis(80)),
            new Region(904, "lab-farther", "Lab farther", Duration.ofMillis(150)));

    /** The demo node's home region: the nearest lab region, which netcheck should also prefer. */
    public static final String HOME_CODE = "lab-near";

    public static final String HOME_NAME = "Lab near";

    /** The DERP nodes' {@code HostName}: the name the home region's DERP certificate carries. */
    public static final String DERP_HOST_NAME = "localhost";

    private final EventLoopGroup group;
    private final @Nullable Coturn coturn;
    private final @Nullable LabStunResponder responder;
    private final UdpNatProxy proxy;
    private final Path derpMap;
    private final LabDerpServer derpServer;
    private final Path derpTrust;

    private DemoNetwork(
            EventLoopGroup group,
            @Nullable Coturn coturn,
            @Nullable LabStunResponder responder,
            UdpNatProxy proxy,
            Path derpMap,
            LabDerpServer derpServer,
            Path derpTrust) {
        this.derpServer = derpServer;
        this.derpTrust = derpTrust;
        this.group = group;
        this.coturn = coturn;
        this.responder = responder;
        this.proxy = proxy;
        this.derpMap = derpMap;
    }

    /**
     * Starts the STUN server (coturn when installed, else the in-process responder) and the delay proxies, and
     * writes the DERP map into {@code dir}.
     */
    public static DemoNetwork start(Path dir) throws IOException, InterruptedException {
        List<InetAddress> stunAddresses = new ArrayList<>();
        for (int i = 0; i < REGIONS.size(); i++) {
            stunAddresses.add(InetAddress.getByName("127.0.0." + (20 + i)));
        }
        EventLoopGroup group = LabEventLoops.newGroup(1);
        Coturn coturn = null;
        LabStunResponder responder = null;
        try {
            List<InetSocketAddress> stun = new ArrayList<>();
            if (Coturn.executable().isPresent()) {
                coturn = Coturn.start(stunAddresses);
                for (InetAddress a : stunAddresses) {
                    stun.add(coturn.address(a));
                }
            } else {
                responder = LabStunResponder.start(group, stunAddresses);
                for (int i = 0; i < stunAddresses.size(); i++) {
                    stun.add(responder.address(i));
                }
            }
            List<UdpNatProxy.Route> routes = new ArrayList<>();
            for (int i = 0; i < REGIONS.size(); i++) {
                routes.add(new UdpNatProxy.Route(
                        new InetSocketAddress("127.0.1." + (20 + i), 0),
                        stun.get(i),
                        REGIONS.get(i).delay(),
                        false));
            }
            UdpNatProxy proxy = UdpNatProxy.start(group, UdpNatProxy.Mapping.ENDPOINT_INDEPENDENT, routes);
            // the home region also serves DERP over TLS (the agent's active check), on the same loopback address
            Path trust = dir.resolve("demo-derp-ca.pem");
            LabDerpServer derp;
            try {
                derp = LabDerpServer.startSelfSigned(
                        group, new InetSocketAddress(proxy.address(0).getAddress(), 0), DERP_HOST_NAME, trust);
            } catch (java.security.GeneralSecurityException e) {
                proxy.close();
                throw new IOException("the demo's DERP server could not start: " + e.getMessage(), e);
            }
            StringBuilder json = new StringBuilder("{\"Regions\": {");
            for (int i = 0; i < REGIONS.size(); i++) {
                Region r = REGIONS.get(i);
                InetSocketAddress a = proxy.address(i);
                json.append(i == 0 ? "" : ",")
                        .append(String.format(
                                "\"%d\": {\"RegionID\": %d, \"RegionCode\": \"%s\", \"RegionName\": \"%s\", \"Nodes\": [{"
                                        + "\"Name\": \"%da\", \"RegionID\": %d, \"HostName\": \"%s\", \"IPv4\": \"%s\", "
                                        + "\"IPv6\": \"none\", \"STUNPort\": %d, %s}]}",
                                r.id(),
                                r.id(),
                                r.code(),
                                r.name(),
                                r.id(),
                                r.id(),
                                DERP_HOST_NAME,
                                a.getAddress().getHostAddress(),
                                a.getPort(),
                                r.code().equals(HOME_CODE)
                                        ? "\"DERPPort\": " + derp.address().getPort()
                                        : "\"STUNOnly\": true"));
            }
            json.append("}}\n");
            Path map = Files.writeString(dir.resolve("demo-derpmap.json"), json.toString(), StandardCharsets.UTF_8);
            return new DemoNetwork(group, coturn, responder, proxy, map, derp, trust);
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (responder != null) {
                responder.close();
            }
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            if (coturn != null) {
                coturn.close();
            }
            throw e;
        }
    }

    /** Which STUN server answers, for the demo's banner. */
    public String stunServer() {
        return coturn != null
                ? "coturn (turnserver)"
                : "the lab's in-process STUN responder (install coturn to measure against a real STUN server)";
    }

    /** The DERP map as JSON, for the lab LocalAPI to serve. */
    public byte[] derpMapJson() throws IOException {
        return Files.readAllBytes(derpMap);
    }

    /** The DERP map file of the demo regions (tailcfg.DERPMap form). */
    public Path derpMap() {
        return derpMap;
    }

    /** The home region's DERP server (TLS, the upgrade and a server-key frame), which the demo can break. */
    public LabDerpServer derpServer() {
        return derpServer;
    }

    /** The PEM file of the certificate the home region's DERP server presents. */
    public Path derpTrust() {
        return derpTrust;
    }

    /** One line per region for the demo's banner. */
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < REGIONS.size(); i++) {
            Region r = REGIONS.get(i);
            out.add(String.format(
                    "%-12s (%d) %-12s STUN at %s, %3d ms away%s",
                    r.code(),
                    r.id(),
                    r.name(),
                    proxy.address(i),
                    r.delay().toMillis(),
                    r.code().equals(HOME_CODE) ? "  <- home region, DERP at " + derpServer.address() : ""));
        }
        return out;
    }

    @Override
    public void close() {
        derpServer.close();
        proxy.close();
        if (responder != null) {
            responder.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        if (coturn != null) {
            coturn.close();
        }
    }
}
