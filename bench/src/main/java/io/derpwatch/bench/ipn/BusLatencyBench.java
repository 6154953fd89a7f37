package io.derpwatch.bench.ipn;

import io.derpwatch.lab.LabNodeState;
import io.derpwatch.lab.LocalApiEmulator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Detection latency of the IPN-bus watch, end to end, and the agent's idle CPU with the watch open (a harness
 * {@code main}, not JMH and not a test). The lab's LocalAPI runs in this JVM on a Unix socket; the agent runs as
 * a separate process through the launcher ({@code derpwatch run}, its default JVM flags) with the stdout sink
 * (OTLP JSON lines) piped back here. Each flip scripts tailscaled's {@code no-derp-connection} warning, raised
 * (status document and bus, as tailscaled does) or resolved, and times from just before the bus write to the
 * moment this JVM reads the stdout line carrying that flip's {@code tailscale.derp.home_connection.changed}.
 * Default export and event-flush settings; the flapping rule is off ({@code flapping.window = 0s}) or it would
 * rightly suppress a subject flipping 100 times. Then it reads the agent's on-CPU time
 * ({@code /proc/PID/task/*}{@code /schedstat}) over an idle minute with the watch open.
 *
 * <p>Usage: {@code bench/ipn-latency.sh [FLIPS] [IDLE_SECONDS]}, or {@code java -cp derpwatch-bench.jar
 * io.derpwatch.bench.ipn.BusLatencyBench LAUNCHER [FLIPS] [IDLE_SECONDS]}.
 */
public final class BusLatencyBench {
    private static final String CHANGED = "\"eventName\":\"tailscale.derp.home_connection.changed\"";

    private BusLatencyBench() {}

    public static void main(String[] args) throws Exception {
        Path launcher = Path.of(args[0]);
        int flips = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        int idleSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        Path dir = Files.createTempDirectory("derpwatch-ipn-bench");
        LocalApiEmulator lab = LocalApiEmulator.start(dir.resolve("ts.sock"));
        Path conf = Files.writeString(
                dir.resolve("agent.conf"),
                "derpwatch {\n  localapi.socket = \"" + lab.socket() + "\"\n"
                        + "  admin { host = \"127.0.0.1\", port = 0 }\n  netcheck.enabled = false\n"
                        + "  flapping.window = 0s\n  sinks.stdout { type = stdout }\n}\n");
        Process agent = new ProcessBuilder(launcher.toString(), "run", "--config", conf.toString())
                .redirectError(dir.resolve("agent.err").toFile())
                .start();
        AtomicInteger changed = new AtomicInteger();
        AtomicLong lastChangedAt = new AtomicLong();
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader in =
                            new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line = in.readLine(); line != null; line = in.readLine()) {
                            long at = System.nanoTime();
                            int n = count(line, CHANGED);
                            if (n > 0) {
                                lastChangedAt.set(at);
                                changed.addAndGet(n);
                            }
                        }
                    } catch (IOException e) {
                        System.err.println("stdout reader: " + e);
                    }
                },
                "agent-stdout");
        reader.setDaemon(true);
        reader.start();
        String load0 = Files.readString(Path.of("/proc/loadavg")).trim();
        try {
            await(() -> changed.get() >= 1 && lab.ipnBus().watchers() == 1, 60, "the agent's first sample and watch");
            Thread.sleep(2000);
            List<Long> raise = new ArrayList<>();
            List<Long> resolve = new ArrayList<>();
            Random random = new Random(42);
            String warning = LabNodeState.noDerpConnectionWarning(LabNodeState.DEFAULT_RELAY_NAME);
            for (int i = 0; i < 2 * flips; i++) {
                boolean loss = i % 2 == 0;
                int before = changed.get();
                lab.update(s -> loss ? s.withHealth(warning) : s.withHealth(List.of()));
                long t0 = System.nanoTime();
                if (loss) {
                    lab.ipnBus()
                            .raise(
                                    "no-derp-connection",
                                    "medium",
                                    "Relay server unavailable",
                                    warning,
                                    true,
                                    Map.of("RegionID", "3", "RegionName", LabNodeState.DEFAULT_RELAY_NAME));
                } else {
                    lab.ipnBus().resolve("no-derp-connection");
                }
                await(() -> changed.get() > before, 30, "flip " + i);
                (loss ? raise : resolve).add(lastChangedAt.get() - t0);
                Thread.sleep(300 + random.nextInt(1000)); // off any export/flush phase
            }
            String load1 = Files.readString(Path.of("/proc/loadavg")).trim();
            System.out.printf(
                    "flips: %d raised + %d resolved; load average before %s, after %s%n", flips, flips, load0, load1);
            print("raise   (bus -> stdout line)", raise);
            print("resolve (bus -> /status re-read -> stdout line)", resolve);
            List<Long> all = new ArrayList<>(raise);
            all.addAll(resolve);
            print("all", all);

            Thread.sleep(5000);
            long pid = agent.pid();
            long cpu0 = cpuNanos(pid);
            long wall0 = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(idleSeconds));
            long cpu1 = cpuNanos(pid);
            long wall1 = System.nanoTime();
            System.out.printf(
                    "idle with the watch open: %.3f %% of one core over %d s (%.1f ms CPU); load average %s%n",
                    100.0 * (cpu1 - cpu0) / (wall1 - wall0),
                    idleSeconds,
                    (cpu1 - cpu0) / 1e6,
                    Files.readString(Path.of("/proc/loadavg")).trim());
        } finally {
            agent.destroy();
            agent.waitFor(20, TimeUnit.SECONDS);
            agent.destroyForcibly();
            lab.close();
        }
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(Condition c, int seconds, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!c.holds()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(1);
        }
    }

    private static int count(String line, String needle) {
        int n = 0;
        for (int i = line.indexOf(needle); i >= 0; i = line.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }

    /** The sum of every thread's on-CPU time, nanoseconds (schedstat's first field). */
    private static long cpuNanos(long pid) throws IOException {
        long sum = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks) {
                try {
                    sum += Long.parseLong(
                            Files.readString(t.resolve("schedstat")).trim().split(" ")[0]);
                } catch (IOException e) {
                    // a thread that ended between the listing and the read
                }
            }
        }
        return sum;
    }

    private static void print(String what, List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        System.out.printf(
                "%-48s n=%d  p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms%n",
                what,
                sorted.size(),
                pct(sorted, 0.50),
                pct(sorted, 0.90),
                pct(sorted, 0.99),
                sorted.get(sorted.size() - 1) / 1e6);
    }

    private static double pct(List<Long> sorted, double p) {
        int i = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1e6;
    }
}
