package io.derpwatch.bench.netcheck;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpNode;
import io.derpwatch.agent.derp.DerpRegion;
import io.derpwatch.agent.net.NettyTransport;
import io.derpwatch.agent.netcheck.NetcheckProber;
import io.derpwatch.agent.netcheck.NetcheckReport;
import io.derpwatch.agent.netcheck.NetcheckSource;
import io.derpwatch.config.NetcheckSettings;
import io.derpwatch.lab.net.Coturn;
import io.derpwatch.lab.net.LabEventLoops;
import io.derpwatch.lab.net.UdpNatProxy;
import io.derpwatch.lab.net.UdpNatProxy.Mapping;
import io.derpwatch.lab.net.UdpNatProxy.Route;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The netcheck benchmark harness (a main, not JMH: one sample is a whole report of ~150 ms): 30 loopback DERP
 * regions, each behind the lab delay proxy with a known added delay spread evenly over 1-150 ms, in front of one
 * coturn listening on 30 loopback addresses. Runs warm-up reports, then measured reports, and prints
 * <ul>
 *   <li>report wall time minus the slowest injected delay (the overhead netcheck adds to a full report),</li>
 *   <li>the distribution of |measured - injected| per region latency,</li>
 *   <li>the prober event loop's CPU time per report (ThreadMXBean thread CPU time of the loop thread).</li>
 * </ul>
 * Usage: {@code java -cp derpwatch-bench.jar io.derpwatch.bench.netcheck.NetcheckBench [reports] [warmup]};
 * {@code -Dbench.zeroDelay=true} runs the same path with no added delay (the proxy + coturn + loopback floor).
 */
public final class NetcheckBench {
    private static final int REGIONS = 30;

    private NetcheckBench() {}

    public static void main(String[] args) throws Exception {
        int reports = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        List<InetAddress> upstreams = new ArrayList<>();
        for (int i = 0; i < REGIONS; i++) {
            upstreams.add(InetAddress.getByName("127.0.2." + (i + 1)));
        }
        long[] injected = new long[REGIONS];
        boolean zero = Boolean.getBoolean("bench.zeroDelay"); // calibration: the path without added delay
        for (int i = 0; i < REGIONS; i++) {
            injected[i] = zero ? 0 : Duration.ofMillis(1).toNanos() + Math.round(i * (149e6 / (REGIONS - 1)));
        }
        EventLoopGroup proberGroup = LabEventLoops.newGroup(1);
        EventLoopGroup labGroup = LabEventLoops.newGroup(1);
        try (Coturn coturn = Coturn.start(upstreams)) {
            List<Route> routes = new ArrayList<>();
            for (int i = 0; i < REGIONS; i++) {
                routes.add(new Route(
                        new InetSocketAddress("127.0.1." + (i + 1), 0),
                        coturn.address(upstreams.get(i)),
                        Duration.ofNanos(injected[i]),
                        false));
            }
            try (UdpNatProxy proxy = UdpNatProxy.start(labGroup, Mapping.ENDPOINT_INDEPENDENT, routes)) {
                TreeMap<Integer, DerpRegion> regions = new TreeMap<>();
                for (int i = 0; i < REGIONS; i++) {
                    int id = i + 1;
                    InetSocketAddress a = proxy.address(i);
                    regions.put(
                            id,
                            new DerpRegion(
                                    id,
                                    "r" + id,
                                    "Region " + id,
                                    false,
                                    false,
                                    List.of(new DerpNode(
                                            id + "a",
                                            id,
                                            "derp" + id + ".bench.test",
                                            a.getAddress().getHostAddress(),
                                            "none",
                                            a.getPort(),
                                            false,
                                            0,
                                            false))));
                }
                DerpMap map = new DerpMap(regions, Map.of(), false);
                run(proberGroup, map, injected, reports, warmup);
            }
        } finally {
            proberGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            labGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static void run(EventLoopGroup group, DerpMap map, long[] injected, int reports, int warmup)
            throws Exception {
        NetcheckSettings settings = new NetcheckSettings(
                true,
                Duration.ofSeconds(60),
                Duration.ofSeconds(5),
                Duration.ofSeconds(3),
                3,
                Duration.ofMillis(100),
                true,
                false,
                false,
                false,
                Duration.ofMinutes(5),
                new NetcheckSettings.HttpsFallback(false, Duration.ofSeconds(3)),
                new NetcheckSettings.CaptivePortal(false, Duration.ofSeconds(2)),
                new NetcheckSettings.DerpMapSettings("file", "", "x", Duration.ofMinutes(5), false, "{}"));
        EventLoop loop = group.next();
        long loopThread = loop.submit(() -> Thread.currentThread().getId()).get();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long slowest = 0;
        for (long d : injected) {
            slowest = Math.max(slowest, d);
        }
        List<Long> overhead = new ArrayList<>();
        List<Long> errors = new ArrayList<>();
        List<Long> cpu = new ArrayList<>();
        int incomplete = 0;
        try (NetcheckProber prober = new NetcheckProber(
                loop,
                NettyTransport.forGroup(group),
                settings,
                NetcheckSource.defaultSsl(),
                r -> {},
                Clock.systemUTC(),
                80)) {
            for (int i = 0; i < warmup + reports; i++) {
                long cpuBefore = threads.getThreadCpuTime(loopThread);
                NetcheckReport report = prober.run(map, l -> {}).get(30, TimeUnit.SECONDS);
                long cpuAfter = threads.getThreadCpuTime(loopThread);
                if (i == 0) {
                    List<Long> first = new ArrayList<>();
                    report.regionLatency().forEach((id, d) -> first.add(Math.abs(d.toNanos() - injected[id - 1])));
                    print("first report in this JVM: |error|", first);
                }
                if (i < warmup) {
                    continue;
                }
                Map<Integer, Duration> latency = report.regionLatency();
                if (latency.size() != injected.length) {
                    incomplete++;
                }
                overhead.add(report.duration().toNanos() - slowest);
                cpu.add(cpuAfter - cpuBefore);
                latency.forEach((id, d) -> errors.add(Math.abs(d.toNanos() - injected[id - 1])));
                int reportNo = i - warmup;
                if (Boolean.getBoolean("bench.debug")) {
                    latency.forEach((id, d) -> {
                        if (Math.abs(d.toNanos() - injected[id - 1]) > 2_000_000) {
                            System.out.printf(
                                    "report %d region %d injected %.1f measured %.3f%n",
                                    reportNo, id, injected[id - 1] / 1e6, d.toNanos() / 1e6);
                        }
                    });
                }
                Thread.sleep(50); // let the previous report's sockets close; a real agent runs one per minute
            }
        }
        System.out.printf(
                "netcheck bench: %d regions, delays %.1f-%.1f ms, %d reports (after %d warm-up), " + "%d incomplete%n",
                injected.length, injected[0] / 1e6, slowest / 1e6, reports, warmup, incomplete);
        print("report wall time - slowest injected delay", overhead);
        print("|measured - injected| per region", errors);
        print("event-loop CPU per report", cpu);
    }

    private static void print(String what, List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        System.out.printf(
                "  %-42s p50 %7.3f ms  p90 %7.3f ms  p99 %7.3f ms  max %7.3f ms  (n=%d)%n",
                what,
                pct(sorted, 0.50) / 1e6,
                pct(sorted, 0.90) / 1e6,
                pct(sorted, 0.99) / 1e6,
                sorted.get(sorted.size() - 1) / 1e6,
                sorted.size());
    }

    private static long pct(List<Long> sorted, double p) {
        int i = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
}
