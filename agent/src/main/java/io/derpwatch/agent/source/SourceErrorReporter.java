package io.derpwatch.agent.source;

import io.derpwatch.agent.telemetry.Telemetry;
import io.derpwatch.agent.telemetry.TelemetryNames;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Severity;
import java.time.Duration;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A source's errors, handled once for every source: counted on {@code derpwatch.source.errors{error.type}},
 * logged and emitted as {@code derpwatch.source.error} through the {@link ErrorThrottle} (a repeat of the same
 * error at most once per repeat interval, with how many were held back). Confined to the source's event loop.
 */
final class SourceErrorReporter {
    private static final Logger LOG = LoggerFactory.getLogger(SourceErrorReporter.class);

    private final String sourceName;
    private final Telemetry telemetry;
    private final SourceCounters counters;
    private final ErrorThrottle throttle;

    SourceErrorReporter(String sourceName, Telemetry telemetry, Duration repeatInterval, AgentClock clock) {
        this.sourceName = sourceName;
        this.telemetry = telemetry;
        this.counters = new SourceCounters(telemetry.meter(), sourceName);
        this.throttle = new ErrorThrottle(repeatInterval, clock::monotonicNanos);
    }

    void sampled() {
        counters.sampled();
    }

    /** A sample that met no error: ends the throttle's run. */
    void succeeded() {
        throttle.onSuccess();
    }

    void report(SourceError error, @org.jspecify.annotations.Nullable Throwable unexpected) {
        counters.failed(error.type());
        OptionalLong report = throttle.onError(error.key());
        if (report.isEmpty()) {
            LOG.debug("source {}: {} again: {}", sourceName, error.type(), error.message());
            return;
        }
        if (unexpected != null) {
            LOG.error("source {} failed unexpectedly: {}", sourceName, error.message(), unexpected);
        } else {
            LOG.warn("source {}: {} ({})", sourceName, error.message(), error.type());
        }
        Attributes attributes = Attributes.builder()
                .put(TelemetryNames.SOURCE_NAME, sourceName)
                .put(TelemetryNames.ERROR_TYPE, error.type())
                .put(TelemetryNames.ERROR_MESSAGE, error.message())
                .putAll(error.attributes())
                .put(TelemetryNames.ERRORS_SUPPRESSED, report.getAsLong())
                .build();
        telemetry.events().emit(TelemetryNames.EVENT_SOURCE_ERROR, Severity.WARN, error.message(), attributes);
    }
}
