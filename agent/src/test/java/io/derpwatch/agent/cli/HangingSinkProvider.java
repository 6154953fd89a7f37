package io.derpwatch.agent.cli;

import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.SinkSettings;
import io.derpwatch.sinks.Batch;
import io.derpwatch.sinks.PayloadEncoding;
import io.derpwatch.sinks.Sink;
import io.derpwatch.sinks.SinkContext;
import io.derpwatch.sinks.SinkFactory;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Test sink type {@code test-hang-on-shutdown}: accepts everything; its {@code close()} never returns (it waits on a
 * latch nobody counts down, ignoring interrupts), like a backend client stuck in a kernel call, and it registers a
 * JVM shutdown hook that never returns, as some client libraries do. The sinks' bounded stop abandons the first;
 * only a hard deadline (halt) gets a process past the second.
 */
public final class HangingSinkProvider implements SinkFactory<String> {
    private static final CountDownLatch NEVER = new CountDownLatch(1);

    @Override
    public String type() {
        return "test-hang-on-shutdown";
    }

    @Override
    public String createConfig(SinkSettings settings, List<ConfigProblem> problems) {
        return settings.name();
    }

    @Override
    public Sink create(String name, SinkContext context) {
        Runtime.getRuntime().addShutdownHook(new Thread(HangingSinkProvider::hang, "test-stuck-shutdown-hook"));
        return new HangingSink(name);
    }

    private static void hang() {
        while (true) {
            try {
                NEVER.await();
            } catch (InterruptedException e) {
                // stuck means stuck
            }
        }
    }

    private record HangingSink(String name) implements Sink {
        @Override
        public PayloadEncoding encoding() {
            return PayloadEncoding.SDK_DATA;
        }

        @Override
        public void send(Batch batch) {}

        @Override
        public void close() {
            hang();
        }
    }
}
