package io.derpwatch.bench;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpMapCodec;
import io.derpwatch.agent.home.HomeConnection;
import io.derpwatch.agent.home.HomeConnectionRule;
import io.derpwatch.agent.localapi.LocalApiClient;
import io.derpwatch.agent.localapi.LocalApiResponse;
import io.derpwatch.agent.localapi.NodeStatus;
import io.derpwatch.agent.localapi.StatusCodec;
import io.derpwatch.lab.LocalApiEmulator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of one home-connection sample: parsing a status document and applying the rule, and a whole
 * LocalAPI request over a real Unix socket to the lab emulator (connect, request, chunked 5.6 KiB answer).
 * Method and figures: docs/benchmarks.md, section "LocalAPI status sample".
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class HomeConnectionBenchmark {
    private byte[] status;
    private StatusCodec codec;
    private Optional<DerpMap> derpMap;
    private Path dir;
    private LocalApiEmulator lab;
    private EventLoopGroup group;
    private LocalApiClient client;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        codec = new StatusCodec();
        status = resource("status.json");
        derpMap = Optional.of(new DerpMapCodec().parse(resource("derpmap.json")));
        dir = Files.createTempDirectory("derpwatch-bench");
        lab = LocalApiEmulator.start(dir.resolve("tailscaled.sock"));
        group = new MultiThreadIoEventLoopGroup(
                1, Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        client = new LocalApiClient(group, lab.socket(), Duration.ofSeconds(5), 8 << 20);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        lab.close();
        Files.deleteIfExists(dir);
    }

    /** Parse a 1.98 status document (with peers) and decide the home connection. */
    @Benchmark
    public HomeConnection parseAndDecide() throws Exception {
        NodeStatus s = codec.parse(status, lab.socket());
        return HomeConnectionRule.evaluate(s, derpMap);
    }

    /** One {@code GET /localapi/v0/status?peers=false} over the Unix socket, new connection each time. */
    @Benchmark
    public LocalApiResponse statusRequestOverUnixSocket() throws Exception {
        return client.get("/localapi/v0/status?peers=false").get(5, TimeUnit.SECONDS);
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = LocalApiEmulator.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }
}
