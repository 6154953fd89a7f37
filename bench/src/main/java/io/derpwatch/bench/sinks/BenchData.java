package io.derpwatch.bench.sinks;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.SinkSettings;
import io.derpwatch.sinks.SinkContext;
import io.derpwatch.sinks.runtime.SinkCatalog;
import io.derpwatch.sinks.runtime.SinkSet;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableDoublePointData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableGaugeData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableMetricData;
import io.opentelemetry.sdk.resources.Resource;
import java.util.ArrayList;
import java.util.List;

/** A metric batch shaped like one derpwatch collection, and sink sets built the way the agent builds them. */
final class BenchData {
    private BenchData() {}

    /** One collection: the netcheck latency gauge for 30 DERP regions x 2 network types, plus 10 other gauges. */
    static List<MetricData> collection() {
        Resource resource = Resource.create(Attributes.of(
                AttributeKey.stringKey("service.name"),
                "derpwatch",
                AttributeKey.stringKey("host.name"),
                "bench-node",
                AttributeKey.stringKey("k8s.node.name"),
                "node-1"));
        InstrumentationScopeInfo scope = InstrumentationScopeInfo.create("io.derpwatch");
        long now = System.currentTimeMillis() * 1_000_000L;
        List<DoublePointData> latency = new ArrayList<>();
        for (int region = 1; region <= 30; region++) {
            for (String type : new String[] {"ipv4", "ipv6"}) {
                latency.add(ImmutableDoublePointData.create(
                        now,
                        now,
                        Attributes.of(
                                AttributeKey.longKey("tailscale.derp.region.id"),
                                (long) region,
                                AttributeKey.stringKey("tailscale.derp.region.code"),
                                "r" + region,
                                AttributeKey.stringKey("network.type"),
                                type),
                        0.001 * region));
            }
        }
        List<MetricData> out = new ArrayList<>();
        out.add(ImmutableMetricData.createDoubleGauge(
                resource,
                scope,
                "tailscale.netcheck.region.latency",
                "best latency",
                "s",
                ImmutableGaugeData.create(latency)));
        for (int i = 0; i < 10; i++) {
            out.add(ImmutableMetricData.createDoubleGauge(
                    resource,
                    scope,
                    "derpwatch.bench.gauge" + i,
                    "",
                    "1",
                    ImmutableGaugeData.create(List.<DoublePointData>of(
                            ImmutableDoublePointData.create(now, now, Attributes.empty(), i)))));
        }
        return out;
    }

    static SinkSet otlpSink(String endpoint, String extra) {
        Config reference = ConfigFactory.parseResources(BenchData.class.getClassLoader(), "reference.conf")
                .resolve();
        Config merged = ConfigFactory.parseString(
                        "type = otlp\nendpoint = \"" + endpoint + "\"\ncompression = none\n" + extra)
                .withFallback(reference.getConfig("derpwatch.sink-types.otlp"))
                .withFallback(reference.getConfig("derpwatch.sink-defaults"))
                .resolve();
        List<ConfigProblem> problems = new ArrayList<>();
        List<SinkCatalog.ConfiguredSink> configured =
                SinkCatalog.load().configure(List.of(new SinkSettings("bench", "otlp", true, merged)), problems);
        if (!problems.isEmpty()) {
            throw new IllegalStateException(problems.toString());
        }
        return SinkSet.open(configured, SinkContext.forProcess());
    }
}
