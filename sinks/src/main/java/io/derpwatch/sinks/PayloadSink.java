package io.derpwatch.sinks;

import io.derpwatch.sinks.delivery.DirectExporters;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.metrics.export.MetricExporter;

/**
 * A sink that delivers encoded OTLP requests (OTLP, Kafka). Its batches can be kept in a persistent queue,
 * because they are bytes. {@link #send} blocks and is called only from the sink's own delivery worker, never on
 * an event loop or an SDK thread.
 */
public interface PayloadSink extends Sink {

    PayloadEncoding encoding();

    /** Partition key for a batch (null: none); computed when the batch is accepted. */
    default String keyFor(Signal signal, java.util.Collection<?> data) {
        return null;
    }

    /** Delivers one batch, or throws saying whether a retry may help. */
    void send(Batch batch) throws DeliveryException;

    /** Releases connections; called once, after the last {@link #send}. */
    void close();

    /** A synchronous exporter over {@link #send}, for use without the delivery queue (benchmarks, tools). */
    @Override
    default MetricExporter metricExporter() {
        return DirectExporters.metrics(this);
    }

    @Override
    default LogRecordExporter logExporter() {
        return DirectExporters.logs(this);
    }
}
