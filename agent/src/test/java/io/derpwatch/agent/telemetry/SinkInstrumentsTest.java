package io.derpwatch.agent.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.SinkSettings;
import io.derpwatch.sinks.SinkContext;
import io.derpwatch.sinks.runtime.SinkCatalog;
import io.derpwatch.sinks.runtime.SinkSet;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.MemoryMode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;

class SinkInstrumentsTest {

    /** Collects on demand. */
    private static final class CollectingReader implements MetricReader {
        private CollectionRegistration registration;

        @Override
        public void register(CollectionRegistration registration) {
            this.registration = registration;
        }

        Collection<MetricData> collect() {
            return registration.collectAllMetrics();
        }

        @Override
        public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
            return AggregationTemporality.CUMULATIVE;
        }

        @Override
        public MemoryMode getMemoryMode() {
            return MemoryMode.IMMUTABLE_DATA;
        }

        @Override
        public CompletableResultCode forceFlush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    private static SinkSet openUnreachableOtlpSink() {
        Config reference = ConfigFactory.parseResources(SinkInstrumentsTest.class.getClassLoader(), "reference.conf")
                .resolve();
        Config merged = ConfigFactory.parseString(
                        "type = otlp\nendpoint = \"http://127.0.0.1:9\"\n" + "retry { initial = 20ms, max = 50ms }")
                .withFallback(reference.getConfig("derpwatch.sink-types.otlp"))
                .withFallback(reference.getConfig("derpwatch.sink-defaults"))
                .resolve();
        List<ConfigProblem> problems = new ArrayList<>();
        var configured =
                SinkCatalog.load().configure(List.of(new SinkSettings("collector", "otlp", true, merged)), problems);
        assertThat(problems).isEmpty();
        return SinkSet.open(configured, SinkContext.forProcess());
    }

    private static long value(Collection<MetricData> metrics, String name, Attributes attributes) {
        return metrics.stream()
                .filter(m -> m.getName().equals(name))
                .flatMap(m -> m.getData().getPoints().stream())
                .map(p -> (LongPointData) p)
                .filter(p -> p.getAttributes().equals(attributes))
                .mapToLong(LongPointData::getValue)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " " + attributes));
    }

    @Test
    void sinkCounters_areReportedPerSink_withTheDropReason() {
        CollectingReader reader = new CollectingReader();
        SdkMeterProvider provider =
                SdkMeterProvider.builder().registerMetricReader(reader).build();
        SinkSet sinks = openUnreachableOtlpSink();
        try (SinkInstruments ignored = SinkInstruments.register(provider.get("test"), sinks)) {
            Collection<MetricData> first = reader.collect();
            sinks.metricExporter().export(first);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> sinks.stats().get(0).failed() >= 2);

            Collection<MetricData> metrics = reader.collect();
            Attributes sink = Attributes.of(TelemetryNames.SINK_NAME, "collector");
            assertThat(value(metrics, TelemetryNames.SINK_QUEUE_SIZE, sink)).isEqualTo(1);
            assertThat(value(metrics, TelemetryNames.SINK_ITEMS_EXPORTED, sink)).isZero();
            assertThat(value(metrics, TelemetryNames.SINK_ITEMS_FAILED, sink)).isGreaterThanOrEqualTo(2);
            assertThat(value(metrics, TelemetryNames.SINK_RETRIES, sink)).isGreaterThanOrEqualTo(1);
            assertThat(metrics).noneMatch(m -> m.getName().equals(TelemetryNames.SINK_ITEMS_DROPPED));

            sinks.shutdown(Duration.ofMillis(200)); // the batch still queued in memory is dropped, reason shutdown
            assertThat(value(
                            reader.collect(),
                            TelemetryNames.SINK_ITEMS_DROPPED,
                            sink.toBuilder()
                                    .put(TelemetryNames.REASON, "shutdown")
                                    .build()))
                    .isEqualTo(1);
        } finally {
            sinks.shutdown(Duration.ofMillis(200));
            provider.close();
        }
    }
}
