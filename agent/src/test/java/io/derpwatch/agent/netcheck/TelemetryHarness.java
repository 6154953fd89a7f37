package io.derpwatch.agent.netcheck;

import io.derpwatch.agent.events.ChangeEventEmitter;
import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.telemetry.EventEmitter;
import io.derpwatch.agent.telemetry.Telemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.testing.exporter.InMemoryLogRecordExporter;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A real OpenTelemetry SDK with in-memory readers: what the instruments publish, as a test sees it. */
final class TelemetryHarness implements AutoCloseable {
    final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    final InMemoryLogRecordExporter logs = InMemoryLogRecordExporter.create();
    final SdkMeterProvider meterProvider =
            SdkMeterProvider.builder().registerMetricReader(metrics).build();
    final SdkLoggerProvider loggerProvider = SdkLoggerProvider.builder()
            .addLogRecordProcessor(SimpleLogRecordProcessor.create(logs))
            .build();
    final Telemetry telemetry =
            new Telemetry(meterProvider.get("io.derpwatch"), new EventEmitter(loggerProvider.get("io.derpwatch")));
    /** A state store whose changes become events, as in the agent. */
    final StateStore state = new StateStore();

    TelemetryHarness() {
        ChangeEventEmitter.subscribe(state, telemetry.events(), Path.of("/run/unused.sock"));
    }

    /** One collection: metric name to its points. */
    Map<String, List<PointData>> collect() {
        Map<String, List<PointData>> out = new TreeMap<>();
        Collection<MetricData> all = metrics.collectAllMetrics();
        for (MetricData m : all) {
            List<PointData> points = new ArrayList<>(m.getData().getPoints());
            if (!points.isEmpty()) {
                out.put(m.getName(), points);
            }
        }
        return out;
    }

    /** The points of {@code name} whose attribute {@code key} is {@code value}. */
    static List<PointData> where(List<PointData> points, AttributeKey<?> key, Object value) {
        return points.stream()
                .filter(p -> value.equals(p.getAttributes().get(key)))
                .toList();
    }

    List<String> eventNames() {
        return logs.getFinishedLogRecordItems().stream()
                .map(LogRecordData::getEventName)
                .toList();
    }

    @Override
    public void close() {
        meterProvider.close();
        loggerProvider.close();
    }
}
