package io.derpwatch.agent.telemetry;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.LogRecordProcessor;
import io.opentelemetry.sdk.logs.ReadWriteLogRecord;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The continuous-mode event processor: keeps emitted events in a bounded queue and hands them to the exporter
 * at most {@code flushInterval} after the first one (or at once when a full batch is waiting). The timer is the
 * agent's event loop and is armed only while events wait, so an agent without events never wakes up for them;
 * the export itself runs on the {@link ExportHandOff}. Replaces the SDK's {@code BatchLogRecordProcessor}, whose
 * worker thread wakes every {@code flushInterval}. Same limits: a full queue drops new events, and counts them.
 */
final class LoopLogRecordProcessor implements LogRecordProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(LoopLogRecordProcessor.class);
    static final int MAX_QUEUE = 2048;
    static final int MAX_BATCH = 512;

    private final LogRecordExporter exporter;
    private final ExportHandOff handOff;
    private final ScheduledExecutorService loop;
    private final long flushNanos;
    private final ArrayDeque<LogRecordData> queue = new ArrayDeque<>();
    // guarded by queue
    private boolean flushArmed;
    private boolean exporting;
    private long dropped;

    LoopLogRecordProcessor(
            LogRecordExporter exporter, ExportHandOff handOff, ScheduledExecutorService loop, Duration flushInterval) {
        this.exporter = exporter;
        this.handOff = handOff;
        this.loop = loop;
        this.flushNanos = flushInterval.toNanos();
    }

    @Override
    public void onEmit(Context context, ReadWriteLogRecord logRecord) {
        LogRecordData data = logRecord.toLogRecordData();
        long delay;
        synchronized (queue) {
            if (queue.size() >= MAX_QUEUE) {
                if (dropped++ == 0) {
                    LOG.warn("event queue full ({} events): dropping new events until the sinks catch up", MAX_QUEUE);
                }
                return;
            }
            queue.add(data);
            if (exporting || (flushArmed && queue.size() < MAX_BATCH)) {
                return;
            }
            flushArmed = true;
            delay = queue.size() >= MAX_BATCH ? 0 : flushNanos;
        }
        arm(delay);
    }

    private void arm(long delayNanos) {
        try {
            loop.schedule(this::flushOnLoop, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) { // the loop is shutting down: shutdown() exports what is left
            synchronized (queue) {
                flushArmed = false;
            }
        }
    }

    private void flushOnLoop() {
        List<LogRecordData> batch;
        synchronized (queue) {
            flushArmed = false;
            if (exporting || queue.isEmpty()) {
                return;
            }
            batch = take();
            exporting = true;
        }
        handOff.submit(() -> exporter.export(batch), this::exported);
    }

    private void exported() {
        boolean again;
        synchronized (queue) {
            exporting = false;
            again = !queue.isEmpty() && !flushArmed;
            if (again) {
                flushArmed = true;
            }
        }
        if (again) {
            arm(0);
        }
    }

    // guarded by queue
    private List<LogRecordData> take() {
        List<LogRecordData> batch = new ArrayList<>(Math.min(queue.size(), MAX_BATCH));
        while (!queue.isEmpty() && batch.size() < MAX_BATCH) {
            batch.add(queue.poll());
        }
        return batch;
    }

    /** Hands the queued events to the exporter as soon as the loop runs (change events do not wait). */
    void flushNow() {
        synchronized (queue) {
            if (queue.isEmpty() || exporting) {
                return; // exported() re-arms at once for what queued meanwhile
            }
            flushArmed = true;
        }
        arm(0);
    }

    /** Events dropped because the queue was full. */
    long dropped() {
        synchronized (queue) {
            return dropped;
        }
    }

    /** Exports every queued event now from the calling thread; completes when the exporter is done. */
    @Override
    public CompletableResultCode forceFlush() {
        List<CompletableResultCode> results = new ArrayList<>();
        while (true) {
            List<LogRecordData> batch;
            synchronized (queue) {
                if (queue.isEmpty()) {
                    break;
                }
                batch = take();
            }
            results.add(exporter.export(batch));
        }
        return CompletableResultCode.ofAll(results);
    }

    @Override
    public CompletableResultCode shutdown() {
        CompletableResultCode result = new CompletableResultCode();
        CompletableResultCode last = forceFlush();
        last.whenComplete(() -> {
            CompletableResultCode closed = exporter.shutdown();
            closed.whenComplete(() -> {
                if (last.isSuccess() && closed.isSuccess()) {
                    result.succeed();
                } else {
                    result.fail();
                }
            });
        });
        return result;
    }
}
