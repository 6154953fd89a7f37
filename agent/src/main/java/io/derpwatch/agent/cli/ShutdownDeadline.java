package io.derpwatch.agent.cli;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hard stop behind a graceful one: once armed, a daemon thread halts the JVM if it is still running
 * {@code shutdown.timeout} plus {@link #GRACE} later, whatever the event loop, a sink or a shutdown hook is doing.
 * A halted run exits {@link ExitCodes#FAILED}, so a supervisor can tell it from a clean stop.
 */
final class ShutdownDeadline {
    /** What the agent may take beyond {@code shutdown.timeout} to release everything (loops, files, sockets). */
    static final Duration GRACE = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(ShutdownDeadline.class);

    private ShutdownDeadline() {}

    /** Starts the countdown for a shutdown that may take {@code timeout}; returns the watching thread. */
    static Thread arm(Duration timeout) {
        Duration deadline = timeout.plus(GRACE);
        Thread t = new Thread(() -> watch(deadline), "derpwatch-shutdown-deadline");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void watch(Duration deadline) {
        long until = System.nanoTime() + deadline.toNanos();
        for (long left = deadline.toNanos(); left > 0; left = until - System.nanoTime()) {
            try {
                TimeUnit.NANOSECONDS.sleep(left);
            } catch (InterruptedException e) {
                // not a reason to give up the deadline: keep waiting for it
            }
        }
        LOG.error("shutdown did not finish within {} (shutdown.timeout plus {} grace): halting now", deadline, GRACE);
        System.err.flush();
        Runtime.getRuntime().halt(ExitCodes.FAILED);
    }
}
