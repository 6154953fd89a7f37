package io.derpwatch.sinks.stdout;

import io.derpwatch.sinks.Batch;
import io.derpwatch.sinks.DeliveryException;
import io.derpwatch.sinks.PayloadEncoding;
import io.derpwatch.sinks.Signal;
import io.derpwatch.sinks.Sink;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Collection;

/**
 * Writes every batch to standard output, one OTLP JSON object per line ({@code format = otlp-json}) or one
 * readable line per data point / event ({@code format = text}). It encodes on its delivery worker, so an
 * encoding failure (however large the batch) drops that batch ({@code encoding_failed}) and nothing else. A
 * write error on the stream is a retryable failure.
 */
final class StdoutSink implements Sink {
    private final String name;
    private final StdoutSettings settings;
    private final PrintStream out;
    private final OtlpJsonCodec json = new OtlpJsonCodec();
    private final TextCodec text = new TextCodec();

    StdoutSink(String name, StdoutSettings settings, PrintStream out) {
        this.name = name;
        this.settings = settings;
        this.out = out;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PayloadEncoding encoding() {
        return PayloadEncoding.SDK_DATA;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void send(Batch batch) throws DeliveryException {
        if (batch.data().isEmpty()) {
            return;
        }
        byte[] bytes;
        try {
            bytes = batch.signal() == Signal.METRICS
                    ? metrics((Collection<MetricData>) batch.data())
                    : logs((Collection<LogRecordData>) batch.data());
        } catch (IOException | RuntimeException e) {
            throw DeliveryException.unencodable(
                    "cannot encode " + batch.data().size() + " "
                            + (batch.signal() == Signal.METRICS ? "metrics" : "events") + ": " + e,
                    e);
        }
        if (bytes.length == 0) {
            return;
        }
        synchronized (out) {
            out.write(bytes, 0, bytes.length);
            out.flush();
            if (out.checkError()) {
                throw new DeliveryException("writing to standard output failed", true);
            }
        }
    }

    private byte[] metrics(Collection<MetricData> batch) throws IOException {
        return settings.format() == StdoutSettings.Format.TEXT ? text.metrics(batch) : json.metrics(batch);
    }

    private byte[] logs(Collection<LogRecordData> batch) throws IOException {
        return settings.format() == StdoutSettings.Format.TEXT ? text.logs(batch) : json.logs(batch);
    }
}
