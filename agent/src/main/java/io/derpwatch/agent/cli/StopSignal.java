package io.derpwatch.agent.cli;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Waits for SIGTERM or SIGINT. Handling the signals ourselves (instead of only a shutdown hook) lets the
 * agent finish delivering and then exit 0, as Kubernetes expects of a graceful stop.
 */
final class StopSignal {
    private static final Logger LOG = LoggerFactory.getLogger(StopSignal.class);

    private final CountDownLatch received = new CountDownLatch(1);

    StopSignal() {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), s -> {
                    LOG.info("SIG{} received: stopping", s.getName());
                    received.countDown();
                });
            } catch (IllegalArgumentException e) {
                LOG.debug("cannot handle SIG{} here: {}", name, e.getMessage());
            }
        }
    }

    void await() throws InterruptedException {
        received.await();
    }
}
