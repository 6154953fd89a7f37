package io.derpwatch.sinks.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.sinks.runtime.SinkSet;
import io.derpwatch.sinks.testing.LinesSinkFactory;
import io.derpwatch.sinks.testing.TestData;
import io.derpwatch.sinks.testing.TestSinks;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Sinks that are plain SDK exporters (such as stdout) get the same queue and worker. */
class PlainSinkDeliveryTest {

    @Test
    void plainSink_isCalledOnItsOwnWorkerThread_inOrder_andCounted() {
        LinesSinkFactory.LINES.clear();
        SinkSet sinks = TestSinks.open(TestSinks.settings("lines", "test-lines", ""));
        try {
            sinks.metricExporter().export(TestData.metricBatch(0));
            SdkLoggerProvider logs = TestData.loggerProvider(sinks.logExporter());
            TestData.emitLog(logs, "e");
            sinks.metricExporter().export(TestData.metricBatch(1));
            assertThat(sinks.flush(Duration.ofSeconds(5))).isTrue();

            assertThat(LinesSinkFactory.LINES)
                    .containsExactly(
                            "derpwatch-sink-lines: metrics 1",
                            "derpwatch-sink-lines: logs 1",
                            "derpwatch-sink-lines: metrics 1");
            assertThat(sinks.stats().get(0).exported()).isEqualTo(3);
            assertThat(sinks.stats().get(0).accepted()).isEqualTo(3);
        } finally {
            assertThat(sinks.shutdown(Duration.ofSeconds(2))).isTrue();
        }
    }

    @Test
    void persistentQueue_onASinkTypeWithoutOne_isAConfigProblemNamingTheKey() {
        assertThat(TestSinks.problems(TestSinks.settings("lines", "test-lines", "queue.persistent.enabled = true")))
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.path()).isEqualTo("derpwatch.sinks.lines.queue.persistent.enabled");
                    assertThat(p.problem()).contains("has no persistent queue").contains("expected enabled = false");
                });
    }
}
