package io.derpwatch.bench.footprint;

import com.sun.net.httpserver.HttpServer;
import io.derpwatch.bench.sinks.CountingOtlpReceiver;
import io.derpwatch.lab.LabScenario;
import io.derpwatch.lab.LocalApiEmulator;
import io.derpwatch.lab.ScenarioRunner;
import io.derpwatch.lab.net.Coturn;
import io.derpwatch.lab.net.LabDerpServer;
import io.derpwatch.lab.net.LabEventLoops;
import io.derpwatch.lab.net.LabStunResponder;
import io.netty.channel.EventLoopGroup;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The peers of {@code bench/sidebyside.sh}, in one JVM: {@code FootprintLab DIR [REGIONS]} starts the lab's
 * LocalAPI emulator on {@code DIR/ts.sock} (connected to home region {@code lab-01}, never flipping, serving a
 * DERP map of REGIONS loopback regions, default 30), a STUN server for those regions (coturn on 127.0.2.1..N when
 * installed, else the lab's in-process responder), an OTLP/gRPC receiver and an OTLP/HTTP receiver
 * ({@code /v1/metrics}, {@code /v1/logs}) on 127.0.0.1, writes {@code DIR/lab.env} ({@code SOCKET=}, {@code GRPC=},
 * {@code HTTP=}, {@code STUN=}) and runs until stopped, when it prints how many export requests each receiver saw.
 * {@code FootprintLab DIR REGIONS derp} also serves the lab's DERP stand-in (TLS, a self-signed certificate for
 * {@value #DERP_HOST}) on 127.0.0.1 as a second, non-STUN node of the home region, so the active DERP check does
 * real handshakes; its certificate's PEM goes to {@code DIR/derp-ca.pem} ({@code DERP_CA=} in lab.env).
 */
public final class FootprintLab {
    static final String DERP_HOST = "derp901.lab.test";

    private FootprintLab() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 3 || (args.length == 3 && !args[2].equals("derp"))) {
            System.err.println("usage: FootprintLab DIR [REGIONS [derp]]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int regions = args.length >= 2 ? Integer.parseInt(args[1]) : 30;
        List<InetAddress> addresses = new ArrayList<>();
        for (int i = 1; i <= regions; i++) {
            addresses.add(InetAddress.getByName("127.0.2." + i));
        }
        EventLoopGroup group = LabEventLoops.newGroup(1);
        @Nullable Coturn coturn = null;
        @Nullable LabStunResponder responder = null;
        List<InetSocketAddress> stun = new ArrayList<>();
        if (Coturn.executable().isPresent()) {
            coturn = Coturn.start(addresses);
            for (InetAddress a : addresses) {
                stun.add(coturn.address(a));
            }
        } else {
            responder = LabStunResponder.start(group, addresses);
            for (int i = 0; i < regions; i++) {
                stun.add(responder.address(i));
            }
        }
        @Nullable LabDerpServer derp = null;
        if (args.length == 3) {
            derp = LabDerpServer.startSelfSigned(
                    group, new InetSocketAddress("127.0.0.1", 0), DERP_HOST, dir.resolve("derp-ca.pem"));
        }
        LocalApiEmulator lab = LocalApiEmulator.start(dir.resolve("ts.sock"));
        lab.serveDerpMap(
                derpMap(stun, derp == null ? 0 : derp.address().getPort()).getBytes(StandardCharsets.UTF_8));
        ScenarioRunner runner = lab.run(LabScenario.demo(Duration.ofDays(1), "lab-01", "Lab 01"));

        CountingOtlpReceiver grpc = new CountingOtlpReceiver();
        grpc.start();
        AtomicLong httpRequests = new AtomicLong();
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        for (String path : List.of("/v1/metrics", "/v1/logs")) {
            http.createContext(path, exchange -> {
                try (InputStream body = exchange.getRequestBody()) {
                    body.readAllBytes();
                }
                httpRequests.incrementAndGet();
                exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, 0); // chunked, empty: an empty Export*ServiceResponse
                exchange.getResponseBody().close();
            });
        }
        http.start();

        Path env = dir.resolve("lab.env");
        Files.writeString(
                dir.resolve("lab.env.tmp"),
                "SOCKET=" + lab.socket() + "\nGRPC=" + grpc.endpoint() + "\nHTTP=http://127.0.0.1:"
                        + http.getAddress().getPort() + "\nSTUN=" + (coturn != null ? "coturn" : "in-process") + "\n"
                        + (derp == null ? "" : "DERP_CA=" + dir.resolve("derp-ca.pem") + "\n"),
                StandardCharsets.UTF_8);
        Files.move(dir.resolve("lab.env.tmp"), env);

        CountDownLatch stopped = new CountDownLatch(1);
        @Nullable Coturn c = coturn;
        @Nullable LabStunResponder r = responder;
        @Nullable LabDerpServer d = derp;
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            System.err.println("lab: OTLP/gRPC export requests " + grpc.requests()
                                    + ", OTLP/HTTP export requests " + httpRequests.get()
                                    + ", LocalAPI requests " + lab.requestCount()
                                    + (d == null ? "" : ", DERP upgrades " + d.upgrades()));
                            if (d != null) {
                                d.close();
                            }
                            runner.close();
                            lab.close();
                            http.stop(0);
                            try {
                                grpc.close();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            if (r != null) {
                                r.close();
                            }
                            if (c != null) {
                                c.close();
                            }
                            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
                            stopped.countDown();
                        },
                        "footprint-lab-shutdown"));
        System.err.println("lab: " + regions + " STUN regions (" + (coturn != null ? "coturn" : "in-process")
                + "), LocalAPI on " + lab.socket());
        stopped.await();
    }

    /**
     * A tailcfg.DERPMap of STUN-only regions 901.. (region 901, {@code lab-01}, is the home region); with a
     * {@code derpPort}, region 901 gets a second node, the DERP stand-in on 127.0.0.1.
     */
    private static String derpMap(List<InetSocketAddress> stun, int derpPort) {
        StringBuilder json = new StringBuilder("{\"Regions\": {");
        for (int i = 0; i < stun.size(); i++) {
            int id = 901 + i;
            InetSocketAddress a = stun.get(i);
            json.append(i == 0 ? "" : ",")
                    .append(String.format(
                            "\"%d\": {\"RegionID\": %d, \"RegionCode\": \"lab-%02d\", \"RegionName\": \"Lab %02d\","
                                    + " \"Nodes\": [{\"Name\": \"%da\", \"RegionID\": %d, \"HostName\": \"localhost\","
                                    + " \"IPv4\": \"%s\", \"IPv6\": \"none\", \"STUNPort\": %d, \"STUNOnly\": true}]}",
                            id, id, i + 1, i + 1, id, id, a.getAddress().getHostAddress(), a.getPort()));
            if (i == 0 && derpPort > 0) {
                json.setLength(json.length() - 2); // reopen the node list
                json.append(String.format(
                        ", {\"Name\": \"%db\", \"RegionID\": %d, \"HostName\": \"%s\", \"IPv4\": \"127.0.0.1\","
                                + " \"IPv6\": \"none\", \"STUNPort\": -1, \"DERPPort\": %d}]}",
                        id, id, DERP_HOST, derpPort));
            }
        }
        return json.append("}}\n").toString();
    }
}
