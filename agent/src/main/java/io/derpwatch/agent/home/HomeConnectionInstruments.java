package io.derpwatch.agent.home;

import io.derpwatch.agent.source.SourceCounters;
import io.derpwatch.agent.telemetry.TelemetryNames;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableLongGauge;
import java.util.Optional;

/**
 * The status source's instruments: the {@code tailscale.derp.home_connection} gauge, read from
 * {@link HomeState} at collection time, and the {@code derpwatch.source.samples} / {@code .errors} counters.
 */
final class HomeConnectionInstruments implements AutoCloseable {
    private final ObservableLongGauge gauge;
    private final SourceCounters counters;

    HomeConnectionInstruments(Meter meter, HomeState state, String sourceName) {
        this.gauge = meter.gaugeBuilder(TelemetryNames.HOME_CONNECTION)
                .ofLongs()
                .setUnit("1")
                .setDescription("1 when this node is connected to its home DERP region, else 0")
                .buildWithCallback(m -> state.latest()
                        .ifPresent(s -> m.record(
                                s.connection().value(),
                                regionAttributes(s.connection().region()))));
        this.counters = new SourceCounters(meter, sourceName);
    }

    void sampled() {
        counters.sampled();
    }

    void failed(String errorType) {
        counters.failed(errorType);
    }

    /** {@code tailscale.derp.region.id/code/name}, as far as they are known. */
    static Attributes regionAttributes(Optional<HomeRegion> region) {
        AttributesBuilder b = Attributes.builder();
        region.ifPresent(r -> {
            r.id().ifPresent(id -> b.put(TelemetryNames.REGION_ID, (long) id));
            b.put(TelemetryNames.REGION_CODE, r.code());
            r.name().ifPresent(n -> b.put(TelemetryNames.REGION_NAME, n));
        });
        return b.build();
    }

    @Override
    public void close() {
        gauge.close();
    }
}
