package io.derpwatch.sinks.runtime;

import io.derpwatch.sinks.DropReason;
import io.derpwatch.sinks.Signal;
import io.derpwatch.sinks.SinkContext;
import io.derpwatch.sinks.SinkStats;
import io.derpwatch.sinks.delivery.DeliveringSink;
import io.derpwatch.sinks.delivery.SdkExporters;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The open sinks of one agent, presented to the OpenTelemetry SDK as one metric exporter and one log exporter
 * ({@link SdkExporters}) that hand every batch to each sink. Every sink sits behind its own {@link
 * DeliveringSink} (bounded queue, one supervised worker thread, retry with backoff, optional persistent queue),
 * so the export calls return at once and a slow or dead sink stalls neither the SDK nor the other sinks.
 */
public final class SinkSet {
    /** How long stopping may take after the shutdown timeout (hung sends interrupted, connections closed). */
    public static final Duration STOP_GRACE = Duration.ofSeconds(2);

    private final List<DeliveringSink> sinks;
    private final MetricExporter metrics;
    private final LogRecordExporter logs;

    private SinkSet(List<DeliveringSink> sinks) {
        this.sinks = List.copyOf(sinks);
        SdkExporters.Target fanOut = new SdkExporters.Target() {
            @Override
            public CompletableResultCode export(Signal signal, Collection<?> data) {
                List<CompletableResultCode> results = new ArrayList<>(SinkSet.this.sinks.size());
                for (DeliveringSink s : SinkSet.this.sinks) {
                    results.add(s.accept(signal, data));
                }
                return CompletableResultCode.ofAll(results);
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofAll(
                        SinkSet.this.sinks.stream().map(DeliveringSink::flush).toList());
            }
        };
        this.metrics = SdkExporters.metrics(fanOut);
        this.logs = SdkExporters.logs(fanOut);
    }

    /** Creates every configured sink and starts its delivery worker. */
    public static SinkSet open(List<SinkCatalog.ConfiguredSink> configured, SinkContext context) {
        List<DeliveringSink> sinks = new ArrayList<>();
        try {
            for (SinkCatalog.ConfiguredSink c : configured) {
                sinks.add(DeliveringSink.start(c.create(context), c.delivery()));
            }
        } catch (RuntimeException e) {
            sinks.forEach(s -> s.stop(STOP_GRACE));
            throw e;
        }
        return new SinkSet(sinks);
    }

    /** The sinks' names, in configuration order. */
    public List<String> names() {
        return sinks.stream().map(DeliveringSink::name).toList();
    }

    /** The open sinks, each behind its delivery wrapper (tests, diagnostics). */
    public List<DeliveringSink> sinks() {
        return sinks;
    }

    /** The delivery counters and health of every sink, in configuration order. */
    public List<SinkStats> stats() {
        return sinks.stream().map(DeliveringSink::stats).toList();
    }

    public MetricExporter metricExporter() {
        return metrics;
    }

    public LogRecordExporter logExporter() {
        return logs;
    }

    /** Waits up to {@code timeout} for every sink to deliver (or drop) what it holds; true when all did. */
    public boolean flush(Duration timeout) {
        return CompletableResultCode.ofAll(
                        sinks.stream().map(DeliveringSink::flush).toList())
                .join(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .isSuccess();
    }

    /**
     * One line per sink that did not deliver everything it was given, saying why (for {@code run --once}'s
     * exit code): batches dropped, by reason, with the last error, and batches still queued. Empty when every
     * batch was delivered.
     */
    public List<String> undelivered() {
        List<String> problems = new ArrayList<>();
        for (SinkStats s : stats()) {
            if (s.droppedTotal() == 0 && s.queued() == 0) {
                continue;
            }
            StringBuilder line = new StringBuilder("sink ").append(s.sink()).append(": ");
            List<String> parts = new ArrayList<>();
            for (DropReason r : DropReason.values()) {
                if (s.dropped(r) > 0) {
                    parts.add(s.dropped(r) + " dropped (" + r.attributeValue() + ")");
                }
            }
            if (s.queued() > 0) {
                parts.add(s.queued() + " not delivered yet");
            }
            line.append(String.join(", ", parts));
            if (s.lastError() != null) {
                line.append("; last error: ").append(s.lastError());
            }
            problems.add(line.toString());
        }
        return problems;
    }

    /**
     * Lets every sink deliver what it holds for up to {@code timeout}, then stops them all within {@link
     * #STOP_GRACE}: what a persistent queue still holds stays on disk, what an in-memory queue holds is counted
     * as dropped. True when every sink emptied its queue in time. Call after the SDK providers have been shut
     * down (their last export lands here).
     */
    public boolean shutdown(Duration timeout) {
        boolean drained = CompletableResultCode.ofAll(
                        sinks.stream().map(DeliveringSink::drain).toList())
                .join(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .isSuccess();
        sinks.forEach(DeliveringSink::requestStop);
        List<Thread> stoppers = new ArrayList<>();
        for (DeliveringSink s : sinks) {
            Thread t = new Thread(() -> s.stop(STOP_GRACE), "derpwatch-stop-" + s.name());
            t.setDaemon(true);
            t.start();
            stoppers.add(t);
        }
        long deadline = System.nanoTime() + STOP_GRACE.toNanos() + 200_000_000L;
        for (Thread t : stoppers) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return drained;
    }
}
