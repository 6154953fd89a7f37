package io.derpwatch.sinks.testing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableGaugeData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableLongPointData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableMetricData;
import io.opentelemetry.sdk.resources.Resource;
import java.util.List;

/** Batches with a sequence number in them, so a test can tell exactly which arrived. */
public final class TestData {
    public static final String SEQ = "test.seq";
    public static final Resource RESOURCE = Resource.create(Attributes.of(
            AttributeKey.stringKey("service.name"), "derpwatch",
            AttributeKey.stringKey("host.name"), "host-a",
            AttributeKey.stringKey("k8s.node.name"), "node-7"));

    private TestData() {}

    /** One metric batch: a gauge with one point carrying {@code test.seq = seq}. */
    public static List<MetricData> metricBatch(int seq) {
        long now = System.currentTimeMillis() * 1_000_000L;
        return List.of(ImmutableMetricData.createLongGauge(
                RESOURCE,
                InstrumentationScopeInfo.create("io.derpwatch.test"),
                "derpwatch.test.gauge",
                "test",
                "1",
                ImmutableGaugeData.create(List.of(ImmutableLongPointData.create(
                        now, now, Attributes.of(AttributeKey.stringKey(SEQ), Integer.toString(seq)), seq)))));
    }

    /** A logger provider that hands each record to {@code exporter} as its own batch. */
    public static SdkLoggerProvider loggerProvider(LogRecordExporter exporter) {
        return SdkLoggerProvider.builder()
                .setResource(RESOURCE)
                .addLogRecordProcessor(SimpleLogRecordProcessor.create(exporter))
                .build();
    }

    public static void emitLog(SdkLoggerProvider provider, String body) {
        provider.get("io.derpwatch.test").logRecordBuilder().setBody(body).emit();
    }
}
