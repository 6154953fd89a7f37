package io.derpwatch.sinks.delivery;

import io.derpwatch.sinks.DeliveryException;
import io.derpwatch.sinks.DropReason;
import io.derpwatch.sinks.Sink;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery worker of one sink ({@code derpwatch-sink-<name>}), under a supervisor. The worker sends the head
 * of the {@link SinkQueue}, retries retryable failures by the {@link RetryPolicy}, and drops (and counts) what it
 * must. The supervisor catches every {@link Throwable} that escapes it ({@link VirtualMachineError} included),
 * counts a restart, logs (the first crash with its stack trace, later ones at 1, 2, 4, 8 ... crashes), waits
 * the policy's backoff and runs the worker again, so delivery never stops for good while the sink runs. A
 * {@link Throwable} thrown by the sink on a batch is a failed attempt; after {@link
 * RetryPolicy#SINK_ERROR_ATTEMPTS} of them on the same batch it is dropped ({@code sink_error}).
 *
 * <p>Logging is one line per outage and one on recovery (with how long, how many attempts failed, how many
 * batches were dropped and are waiting), not one per attempt.
 */
final class DeliveryWorker {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryWorker.class);

    private final String name;
    private final Sink sink;
    private final SinkQueue queue;
    private final RetryPolicy retry;
    private final AtomicLong restarts = new AtomicLong();
    private volatile @Nullable Thread thread;
    private volatile boolean ended;

    // touched by the worker thread only; fields, not locals, so that they survive a restart of the loop
    private long currentHead = -1;
    private long firstAttemptNanos;
    private int attempt;
    private int sinkErrors;
    private long outageStart;
    private int outageFailures;
    private int outageDrops;

    DeliveryWorker(String name, Sink sink, SinkQueue queue, RetryPolicy retry) {
        this.name = name;
        this.sink = sink;
        this.queue = queue;
        this.retry = retry;
    }

    synchronized void start() {
        Thread t = new Thread(this::supervise, "derpwatch-sink-" + name);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /** Restarts the thread if it died although the sink still runs (a crash the supervisor itself did not survive). */
    synchronized void ensureRunning() {
        Thread t = thread;
        if (!ended && (t == null || !t.isAlive()) && queue.running()) {
            restarts.incrementAndGet();
            LOG.error("sink {}: delivery worker thread had died; started a new one", name);
            start();
        }
    }

    /** False when the worker thread is gone although the sink still runs. */
    boolean alive() {
        Thread t = thread;
        return ended || (t != null && t.isAlive()) || !queue.running();
    }

    long restarts() {
        return restarts.get();
    }

    /** Waits up to {@code timeout} for the thread to end, interrupting it halfway. */
    void join(Duration timeout) {
        Thread t = thread;
        if (t == null) {
            return;
        }
        try {
            long half = Math.max(1, timeout.toMillis() / 2);
            t.join(half);
            if (t.isAlive()) {
                t.interrupt();
                t.join(half);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void supervise() {
        int crashes = 0;
        while (true) {
            try {
                deliverLoop();
                ended = true;
                return;
            } catch (Throwable t) { // NOPMD: a supervisor catches everything, VirtualMachineError included
                crashes++;
                sinkErrors++; // a crash while a batch was at the head counts against that batch
                restarts.incrementAndGet();
                String what = describe(t);
                queue.crashed("delivery worker restarted after: " + what);
                try {
                    if (crashes == 1) {
                        LOG.error("sink {}: delivery worker failed; restarting it: {}", name, what, t);
                    } else if (Integer.bitCount(crashes) == 1) {
                        LOG.error("sink {}: delivery worker failed again ({} times): {}", name, crashes, what);
                    }
                } catch (Throwable logging) { // NOPMD: not even the log may end the supervisor
                    // nothing better to do: the restart counter and lastError still say it
                }
                if (!queue.awaitStop(retry.restartDelayNanos(crashes))) {
                    ended = true;
                    return;
                }
            }
        }
    }

    /** A throwable's toString(), or its class name when even that fails. */
    static String describe(Throwable t) {
        try {
            return String.valueOf(t);
        } catch (Throwable e) { // NOPMD
            return t.getClass().getName();
        }
    }

    private void deliverLoop() {
        while (true) {
            SinkQueue.Head head = queue.take();
            if (head == null) {
                return;
            }
            if (head.generation() != currentHead) {
                currentHead = head.generation();
                attempt = 0;
                sinkErrors = 0;
                firstAttemptNanos = System.nanoTime();
            }
            if (sinkErrors >= RetryPolicy.SINK_ERROR_ATTEMPTS) {
                queue.failed("sink failed on this batch " + sinkErrors + " times");
                failing(
                        head,
                        new DeliveryException("sink failed on this batch " + sinkErrors + " times", false),
                        DropReason.SINK_ERROR);
                queue.dropHead(head, DropReason.SINK_ERROR);
                continue;
            }
            if (attempt > 0) {
                queue.retrying();
            }
            DeliveryException failure;
            try {
                sink.send(head.batch());
                queue.delivered(head);
                recovered();
                continue;
            } catch (DeliveryException e) {
                failure = e;
            } catch (Throwable t) { // NOPMD: a bug of the sink must not end delivery
                sinkErrors++;
                String what = describe(t);
                if (sinkErrors == 1) {
                    LOG.error(
                            "sink {}: unexpected error sending a {} batch: {}",
                            name,
                            head.batch().signal(),
                            what);
                }
                failure = new DeliveryException("sink failed: " + what, true, null);
            }
            queue.failed(failure.getMessage());
            DropReason drop = null;
            if (sinkErrors >= RetryPolicy.SINK_ERROR_ATTEMPTS) {
                drop = DropReason.SINK_ERROR;
            } else if (!failure.retryable()) {
                drop = failure.dropReason();
            } else if (retry.exhausted(System.nanoTime() - firstAttemptNanos)) {
                drop = DropReason.RETRY_EXHAUSTED;
            }
            failing(head, failure, drop);
            if (drop != null) {
                queue.dropHead(head, drop);
                continue;
            }
            if (!queue.await(retry.backoffNanos(attempt++), head.generation())) {
                return;
            }
        }
    }

    private void failing(SinkQueue.Head head, DeliveryException failure, @Nullable DropReason drop) {
        if (outageFailures == 0 && outageDrops == 0) {
            outageStart = System.nanoTime();
            if (drop == null) {
                LOG.warn("sink {}: delivery failing, will retry: {}", name, failure.getMessage());
            }
        }
        if (drop != null) {
            if (outageDrops == 0) {
                LOG.warn(
                        "sink {}: dropped a {} batch ({}): {}{}",
                        name,
                        head.batch().signal(),
                        drop.attributeValue(),
                        failure.getMessage(),
                        drop == DropReason.RETRY_EXHAUSTED ? " (still failing after " + retry.maxElapsed() + ")" : "");
            }
            outageDrops++;
        } else {
            outageFailures++;
        }
    }

    private void recovered() {
        if (outageFailures == 0 && outageDrops == 0) {
            return;
        }
        long seconds = Duration.ofNanos(System.nanoTime() - outageStart).toSeconds();
        LOG.info(
                "sink {}: delivering again after {} s: {} attempts had failed, {} batches dropped meanwhile "
                        + "(see derpwatch.sink.items.dropped), {} waiting",
                name,
                seconds,
                outageFailures,
                outageDrops,
                queue.size());
        outageFailures = 0;
        outageDrops = 0;
    }
}
