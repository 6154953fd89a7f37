package io.derpwatch.bench.peers;

import io.derpwatch.lab.LabPeers;
import io.derpwatch.lab.LocalApiEmulator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The first peers sample of a large tailnet through the whole agent, under given JVM flags: {@code java -cp
 * bench/target/derpwatch-bench.jar io.derpwatch.bench.peers.PeersOnceCpu PEERS RUNS AGENT_JAR [JVM flags...]}
 * starts the lab's LocalAPI emulator serving a generated PEERS-peer status document ({@link LabPeers}), then
 * RUNS times, in turn, {@code derpwatch run --once} (stdout sink, netcheck and the admin server off) in a child
 * JVM with exactly those flags, once with the peers source on and once with it off, and prints each child's CPU
 * (user + system, from its shell's {@code /proc/PID/stat} children's times: 10 ms ticks). The difference is
 * what the first sample costs: the HTTP read, the parse and the counting, interpreted or compiled as the flags
 * say. Also checks that every line the child wrote to stdout is an OTLP-JSON object (no JVM message there) and
 * that the peers were counted. Figures: docs/benchmarks.md, "Execution mode: selective compilation".
 */
public final class PeersOnceCpu {
    private PeersOnceCpu() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: PeersOnceCpu PEERS RUNS AGENT_JAR [JVM flags...]");
            System.exit(2);
        }
        int peers = Integer.parseInt(args[0]);
        int runs = Integer.parseInt(args[1]);
        String jar = args[2];
        List<String> flags = Arrays.asList(args).subList(3, args.length);
        int relayed = peers / 2;
        int direct = peers / 4;
        int peerRelay = peers / 20;
        byte[] status = LabPeers.status(
                new LabPeers.Mix(direct, relayed, peerRelay, peers - direct - relayed - peerRelay, peers * 9 / 10));
        Path dir = Files.createTempDirectory("peers-once");
        try (LocalApiEmulator lab = LocalApiEmulator.start(dir.resolve("ts.sock"))) {
            lab.serveStatusWithPeersDocument(status);
            long on = 0;
            long off = 0;
            for (int r = 0; r < runs; r++) {
                long withPeers = run(dir, lab, jar, flags, true);
                long without = run(dir, lab, jar, flags, false);
                on += withPeers;
                off += without;
                System.out.printf(
                        "run %d: %d peers %d ms CPU, peers off %d ms CPU, first sample ~%d ms%n",
                        r, peers, withPeers, without, withPeers - without);
            }
            System.out.printf("mean of %d: first sample ~%d ms CPU%n", runs, (on - off) / runs);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** One {@code run --once}: the child's CPU in ms. */
    private static long run(Path dir, LocalApiEmulator lab, String jar, List<String> flags, boolean peers)
            throws IOException, InterruptedException {
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        List<String> command = new ArrayList<>();
        command.add("bash");
        command.add("-c");
        // after the child is waited for, this shell's cutime and cstime (fields 16, 17) are its CPU
        command.add("\"$@\" >" + out + " 2>" + err + "; rc=$?; read -r -a s < /proc/$$/stat;"
                + " echo \"$rc ${s[15]} ${s[16]}\"");
        command.add("peers-once");
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(flags);
        command.add("-Dderpwatch.localapi.socket=" + lab.socket());
        command.add("-Dderpwatch.netcheck.enabled=false");
        command.add("-Dderpwatch.derp-check.enabled=false");
        command.add("-Dderpwatch.admin.enabled=false");
        command.add("-Dderpwatch.peers.enabled=" + peers);
        command.add("-cp");
        command.add(jar);
        command.add("io.derpwatch.agent.cli.Main");
        command.add("run");
        command.add("--once");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String[] result = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)
                .trim()
                .split(" ");
        p.waitFor();
        if (result.length != 3 || !result[0].equals("0")) {
            throw new IllegalStateException(
                    "run --once failed (" + String.join(" ", result) + "): " + Files.readString(err));
        }
        String stdout = Files.readString(out);
        for (String line : stdout.split("\n")) {
            if (!line.isEmpty() && !(line.startsWith("{\"resource") && line.endsWith("}"))) {
                throw new IllegalStateException("stdout carries more than OTLP JSON: " + line);
            }
        }
        if (peers && !stdout.contains("\"tailscale.peers\"")) {
            throw new IllegalStateException("no peers counted: " + Files.readString(err));
        }
        long hz = 100; // USER_HZ on Linux
        return (Long.parseLong(result[1]) + Long.parseLong(result[2])) * 1000 / hz;
    }
}
