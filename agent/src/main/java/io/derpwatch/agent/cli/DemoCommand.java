package io.derpwatch.agent.cli;

import io.derpwatch.agent.Agent;
import io.derpwatch.agent.derpcheck.DerpCheckSnapshot;
import io.derpwatch.agent.derpcheck.DerpCheckStep;
import io.derpwatch.agent.home.HomeConnection;
import io.derpwatch.agent.home.HomeSnapshot;
import io.derpwatch.config.SettingsException;
import io.derpwatch.lab.LabNodeState;
import io.derpwatch.lab.LabScenario;
import io.derpwatch.lab.LocalApiEmulator;
import io.derpwatch.lab.ScenarioRunner;
import io.derpwatch.lab.net.DemoNetwork;
import io.derpwatch.lab.net.LabDerpServer;
import io.derpwatch.sinks.SinkContext;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Run the agent against the lab, a tailnet in a box: a tailscaled stand-in (LocalAPI emulator on a",
            "temporary Unix socket) whose home DERP region lab-near drops (tailscaled's no-derp-connection",
            "warning) and recovers every few seconds, and four DERP regions on loopback (lab-near, lab-mid,",
            "lab-far, lab-farther) that netcheck measures over STUN (coturn when installed, else an in-process",
            "STUN responder). The narration is on stderr, the text stdout sink on stdout; Ctrl-C stops it.",
            "No tailscaled and no network beyond loopback are needed. The admin server listens on 127.0.0.1",
            "(a free port, logged at start)."
        })
final class DemoCommand implements Callable<Integer> {

    @Option(
            names = "--phase",
            defaultValue = "8s",
            paramLabel = "DURATION",
            description = "How long each lab phase (connected, warning) lasts (default: ${DEFAULT-VALUE}).",
            converter = DurationConverter.class)
    Duration phase;

    private static final PrintStream SAY = System.err;
    private static final Duration STATUS_INTERVAL = Duration.ofSeconds(2);

    private static void say(String line) {
        SAY.println("derpwatch demo: " + line);
    }

    /** The loopback DERP regions, or null (netcheck off, said why) when they cannot start. */
    private static @Nullable DemoNetwork startNetwork(Path dir) {
        try {
            DemoNetwork network = DemoNetwork.start(dir);
            say("four DERP regions on loopback, each behind a delay proxy; STUN answered by " + network.stunServer()
                    + ":");
            network.describe().forEach(line -> SAY.println("    " + line));
            return network;
        } catch (Exception e) {
            say("netcheck is off: the loopback DERP regions could not start: " + e.getMessage());
            return null;
        }
    }

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("derpwatch-demo");
        Path socket = dir.resolve("tailscaled.sock");
        say("a tailnet in a box; nothing outside this machine's loopback is touched.");
        DemoNetwork network = startNetwork(dir);
        LocalApiEmulator lab = LocalApiEmulator.start(socket);
        if (network != null) {
            lab.serveDerpMap(network.derpMapJson());
        }
        say("the lab's tailscaled answers on " + socket + ", home DERP region " + DemoNetwork.HOME_CODE + " (\""
                + DemoNetwork.HOME_NAME + "\").");
        say("what happens: every " + phase.toSeconds() + " s tailscaled loses its home relay, then gets it back. "
                + "The agent reads tailscaled every " + STATUS_INTERVAL.toSeconds() + " s and reports "
                + "tailscale.derp.home_connection (1 connected, 0 not) with the reason; "
                + (network == null
                        ? ""
                        : "netcheck measures the four regions every 10 s; the agent checks the home DERP server"
                                + " itself (TLS + DERP upgrade) every 10 s and at once on a DERP warning; ")
                + "the lines on stdout are what a sink receives. Ctrl-C to stop.");
        long[] labChangedAt = {System.nanoTime()};
        ScenarioRunner scenario =
                lab.run(LabScenario.demo(phase, DemoNetwork.HOME_CODE, DemoNetwork.HOME_NAME), step -> {
                    labChangedAt[0] = System.nanoTime();
                    say("lab: " + step.narration() + ".");
                    // tailscaled pushes the same change over its IPN bus, which the agent watches
                    if (step.name().equals("no-derp-connection")) {
                        lab.ipnBus()
                                .raise(
                                        "no-derp-connection",
                                        "medium",
                                        "Relay server unavailable",
                                        LabNodeState.noDerpConnectionWarning(DemoNetwork.HOME_NAME),
                                        true,
                                        Map.of("RegionID", "901", "RegionName", DemoNetwork.HOME_NAME));
                    } else {
                        lab.ipnBus().resolve("no-derp-connection");
                    }
                    // the relay itself drops too, which the agent's active DERP check sees from this side
                    if (network != null) {
                        try {
                            network.derpServer()
                                    .misbehave(
                                            step.name().equals("no-derp-connection")
                                                    ? LabDerpServer.Misbehaviour.REFUSE_TCP
                                                    : LabDerpServer.Misbehaviour.NONE);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                });
        // The demo's own settings: the lab socket, quick intervals, readable output.
        System.setProperty("derpwatch.localapi.socket", socket.toString());
        System.setProperty("derpwatch.status.interval", STATUS_INTERVAL.toSeconds() + "s");
        System.setProperty("derpwatch.telemetry.export-interval", "8s");
        System.setProperty("derpwatch.sinks.stdout.type", "stdout");
        System.setProperty("derpwatch.sinks.stdout.format", "text");
        System.setProperty("derpwatch.admin.host", "127.0.0.1");
        System.setProperty("derpwatch.admin.port", "0");
        if (network == null) {
            System.setProperty("derpwatch.netcheck.enabled", "false");
        } else {
            // the map comes from the lab's LocalAPI, as on a real node: one map for the home rule and netcheck
            System.setProperty("derpwatch.netcheck.derp-map.source", "localapi");
            System.setProperty("derpwatch.netcheck.interval", "10s");
            System.setProperty("derpwatch.netcheck.captive-portal.enabled", "false");
            System.setProperty("derpwatch.netcheck.https-fallback.enabled", "false");
            // the active check of the home DERP, against the lab's DERP server and its self-signed certificate
            System.setProperty("derpwatch.derp-check.enabled", "true");
            System.setProperty("derpwatch.derp-check.interval", "10s");
            System.setProperty(
                    "derpwatch.derp-check.tls.trust", network.derpTrust().toString());
        }
        ScheduledExecutorService narrator = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "derpwatch-demo-narrator");
            t.setDaemon(true);
            return t;
        });
        try {
            ConfigOptions.Loaded loaded;
            try {
                loaded = new ConfigOptions().load();
            } catch (SettingsException e) {
                ConfigOptions.printProblems(e, System.err);
                return ExitCodes.USAGE;
            }
            StopSignal stop = new StopSignal();
            try (Agent agent = Agent.start(
                    loaded.settings(),
                    loaded.sinks(),
                    SinkContext.forProcess(),
                    Agent.Mode.CONTINUOUS,
                    System.getenv())) {
                narrateWhatTheAgentSees(agent, narrator, labChangedAt);
                narrateTheDerpCheck(agent, narrator);
                stop.await();
            }
            return ExitCodes.OK;
        } finally {
            narrator.shutdownNow();
            scenario.close();
            lab.close();
            if (network != null) {
                network.close();
                Files.deleteIfExists(network.derpMap());
                Files.deleteIfExists(network.derpTrust());
            }
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    /** Says, each time the active check's verdict on the home DERP changes, what it found. */
    private static void narrateTheDerpCheck(Agent agent, ScheduledExecutorService narrator) {
        Boolean[] last = {null};
        narrator.scheduleWithFixedDelay(
                () -> agent.state()
                        .latest(DerpCheckSnapshot.TOPIC)
                        .flatMap(DerpCheckSnapshot::result)
                        .ifPresent(r -> {
                            if (last[0] != null && last[0] == r.reachable()) {
                                return;
                            }
                            last[0] = r.reachable();
                            say("agent: the home DERP server " + r.target().hostName() + ":"
                                    + r.target().port()
                                    + (r.reachable()
                                            ? " answers the DERP upgrade with its server key (TLS handshake in "
                                                    + r.durations()
                                                            .getOrDefault(DerpCheckStep.TLS, Duration.ZERO)
                                                            .toMillis()
                                                    + " ms)"
                                            : " is unreachable at step "
                                                    + r.failedStep().get().wireName()
                                                    + "; the sinks get a tailscale.derp.region.reachable.changed"
                                                    + " event"));
                        }),
                300,
                300,
                TimeUnit.MILLISECONDS);
    }

    /** Says, each time the agent's view of the home connection changes, what it saw and how long after the lab. */
    private static void narrateWhatTheAgentSees(Agent agent, ScheduledExecutorService narrator, long[] labChangedAt) {
        HomeConnection[] last = {null};
        narrator.scheduleWithFixedDelay(
                () -> agent.state().latest(HomeSnapshot.TOPIC).ifPresent(snapshot -> {
                    HomeConnection now = snapshot.connection();
                    HomeConnection before = last[0];
                    if (before != null && before.value() == now.value() && before.reason() == now.reason()) {
                        return;
                    }
                    last[0] = now;
                    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - labChangedAt[0]);
                    say("agent: home_connection " + now.value() + " ("
                            + now.reason().wireName() + ")"
                            + (before == null
                                    ? ""
                                    : ", seen " + ms + " ms after the lab's change; the sinks get a "
                                            + "tailscale.derp.home_connection.changed event"));
                }),
                200,
                200,
                TimeUnit.MILLISECONDS);
    }
}
