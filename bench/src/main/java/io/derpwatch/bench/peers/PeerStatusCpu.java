package io.derpwatch.bench.peers;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * CPU time (not wall time) of one peers sample, for a loaded machine where JMH's wall-clock figures mislead:
 * {@code java [flags] -cp bench/target/derpwatch-bench.jar io.derpwatch.bench.peers.PeerStatusCpu [peers]
 * [rounds]} prints the thread CPU of each round of {@link PeerStatusBenchmark#streamingSample} and
 * {@link PeerStatusBenchmark#blockingTokenScan}. Figures: docs/benchmarks.md, section "Peers at scale".
 */
public final class PeerStatusCpu {
    private PeerStatusCpu() {}

    public static void main(String[] args) throws Exception {
        PeerStatusBenchmark b = new PeerStatusBenchmark();
        b.peers = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        b.setUp();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int r = 0; r < rounds; r++) {
            long t0 = threads.getCurrentThreadCpuTime();
            b.streamingSample();
            long t1 = threads.getCurrentThreadCpuTime();
            b.blockingTokenScan();
            long t2 = threads.getCurrentThreadCpuTime();
            System.out.printf(
                    "round %d: streamingSample %d ms CPU, blockingTokenScan %d ms CPU%n",
                    r, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
        }
    }
}
