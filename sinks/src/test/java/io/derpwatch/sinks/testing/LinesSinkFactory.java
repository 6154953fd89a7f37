package io.derpwatch.sinks.testing;

import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.SinkSettings;
import io.derpwatch.sinks.Batch;
import io.derpwatch.sinks.PayloadEncoding;
import io.derpwatch.sinks.Sink;
import io.derpwatch.sinks.SinkContext;
import io.derpwatch.sinks.SinkFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Test sink type {@code test-lines}: an SDK-data sink (like the stdout sink: no payload, no persistent queue)
 * that records "thread: signal items" per batch, so tests can see the delivery wrapper in front of such sinks.
 */
public final class LinesSinkFactory implements SinkFactory<String> {
    public static final List<String> LINES = new CopyOnWriteArrayList<>();

    @Override
    public String type() {
        return "test-lines";
    }

    @Override
    public String createConfig(SinkSettings settings, List<ConfigProblem> problems) {
        return settings.name();
    }

    @Override
    public Sink create(String name, SinkContext context) {
        return new LinesSink(name);
    }

    private record LinesSink(String name) implements Sink {
        @Override
        public PayloadEncoding encoding() {
            return PayloadEncoding.SDK_DATA;
        }

        @Override
        public void send(Batch batch) {
            LINES.add(Thread.currentThread().getName() + ": "
                    + batch.signal().name().toLowerCase(java.util.Locale.ROOT) + " "
                    + batch.data().size());
        }
    }
}
