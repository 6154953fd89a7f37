package io.derpwatch.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the LocalAPI emulator by hand: {@code LabMain SOCKET [PHASE_SECONDS]} listens on {@code SOCKET} and
 * plays {@link LabScenario#demo(Duration)} until the process is stopped. Point an agent at it with
 * {@code TS_SOCKET=SOCKET}.
 */
public final class LabMain {
    private LabMain() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: LabMain SOCKET [PHASE_SECONDS]");
            System.exit(2);
        }
        Duration phase = Duration.ofSeconds(args.length == 2 ? Long.parseLong(args[1]) : 8);
        LocalApiEmulator lab = LocalApiEmulator.start(Path.of(args[0]));
        ScenarioRunner runner = lab.run(LabScenario.demo(phase));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            runner.close();
                            lab.close();
                            stopped.countDown();
                        },
                        "lab-shutdown"));
        System.err.println("lab LocalAPI on " + lab.socket() + ": connected / no-derp-connection every " + phase);
        stopped.await();
    }
}
