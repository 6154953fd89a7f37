package io.derpwatch.agent.source;

import io.derpwatch.agent.telemetry.TelemetryNames;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;

/**
 * The counters every source keeps: {@code derpwatch.source.samples} and {@code derpwatch.source.errors}
 * (by {@code error.type}), both with {@code derpwatch.source.name}.
 */
final class SourceCounters {
    private final LongCounter samples;
    private final LongCounter errors;
    private final Attributes sourceAttributes;

    SourceCounters(Meter meter, String sourceName) {
        this.sourceAttributes = Attributes.of(TelemetryNames.SOURCE_NAME, sourceName);
        this.samples = meter.counterBuilder(TelemetryNames.SOURCE_SAMPLES)
                .setUnit("{sample}")
                .setDescription("Samples a source has taken, failed or not")
                .build();
        this.errors = meter.counterBuilder(TelemetryNames.SOURCE_ERRORS)
                .setUnit("{error}")
                .setDescription("Errors a source has met, by error.type")
                .build();
    }

    void sampled() {
        samples.add(1, sourceAttributes);
    }

    void failed(String errorType) {
        errors.add(
                1,
                sourceAttributes.toBuilder()
                        .put(TelemetryNames.ERROR_TYPE, errorType)
                        .build());
    }
}
