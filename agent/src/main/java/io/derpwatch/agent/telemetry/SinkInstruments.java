package io.derpwatch.agent.telemetry;

import io.derpwatch.sinks.DropReason;
import io.derpwatch.sinks.SinkStats;
import io.derpwatch.sinks.runtime.SinkSet;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.BatchCallback;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;

/**
 * The {@code derpwatch.sink.*} instruments: each sink's delivery counters, read from {@link SinkSet#stats()} once
 * per collection. The unit is one batch (one export of the SDK; see {@link SinkStats}). These metrics travel
 * through the same sinks, so a sink that is down reports its own losses once it is back (or through the others).
 */
public final class SinkInstruments implements AutoCloseable {
    private static final String UNIT = "{item}"; // one item = one batch, see docs/configuration.md#sinks
    private final BatchCallback callback;

    private SinkInstruments(BatchCallback callback) {
        this.callback = callback;
    }

    public static SinkInstruments register(Meter meter, SinkSet sinks) {
        ObservableLongMeasurement exported = meter.counterBuilder(TelemetryNames.SINK_ITEMS_EXPORTED)
                .setUnit(UNIT)
                .setDescription("Batches the sink's backend acknowledged")
                .buildObserver();
        ObservableLongMeasurement failed = meter.counterBuilder(TelemetryNames.SINK_ITEMS_FAILED)
                .setUnit(UNIT)
                .setDescription("Failed delivery attempts (a batch retried three times counts three)")
                .buildObserver();
        ObservableLongMeasurement dropped = meter.counterBuilder(TelemetryNames.SINK_ITEMS_DROPPED)
                .setUnit(UNIT)
                .setDescription("Batches given up, by reason")
                .buildObserver();
        ObservableLongMeasurement queueSize = meter.upDownCounterBuilder(TelemetryNames.SINK_QUEUE_SIZE)
                .setUnit(UNIT)
                .setDescription("Batches waiting in the sink's queue (memory or disk)")
                .buildObserver();
        ObservableLongMeasurement retries = meter.counterBuilder(TelemetryNames.SINK_RETRIES)
                .setUnit("{retry}")
                .setDescription("Delivery attempts that retried an earlier failed attempt")
                .buildObserver();
        BatchCallback callback = meter.batchCallback(
                () -> {
                    for (SinkStats s : sinks.stats()) {
                        Attributes sink = Attributes.of(TelemetryNames.SINK_NAME, s.sink());
                        exported.record(s.exported(), sink);
                        failed.record(s.failed(), sink);
                        queueSize.record(s.queued(), sink);
                        retries.record(s.retries(), sink);
                        for (DropReason reason : DropReason.values()) {
                            // a reason's series starts with its first drop, as a counter's does with its first add:
                            // seven zero series per sink on every export would cost more than they tell
                            long n = s.dropped(reason);
                            if (n > 0) {
                                dropped.record(
                                        n,
                                        sink.toBuilder()
                                                .put(TelemetryNames.REASON, reason.attributeValue())
                                                .build());
                            }
                        }
                    }
                },
                exported,
                failed,
                dropped,
                queueSize,
                retries);
        return new SinkInstruments(callback);
    }

    @Override
    public void close() {
        callback.close();
    }
}
