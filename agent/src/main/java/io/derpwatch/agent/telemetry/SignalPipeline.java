package io.derpwatch.agent.telemetry;

import io.derpwatch.config.TelemetrySettings;
import io.derpwatch.sinks.runtime.SinkSet;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.metrics.View;
import io.opentelemetry.sdk.resources.Resource;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The OpenTelemetry SDK side of the agent: one meter provider (read periodically) and one logger provider
 * (events, batched), both exporting to the {@link SinkSet}. Instruments read state at collection time.
 * Collection and event batching are timed on the agent's event loop (no SDK reader or processor threads);
 * exports run on one short-lived {@code derpwatch-export} thread, never on the loop.
 */
public final class SignalPipeline implements AutoCloseable {
    /** How long one export may take before the next batch goes ahead (the SDK exporters' default). */
    private static final Duration EXPORT_TIMEOUT = Duration.ofSeconds(30);

    private final ExportHandOff handOff = new ExportHandOff(EXPORT_TIMEOUT);
    private final SdkMeterProvider meterProvider;
    private final SdkLoggerProvider loggerProvider;
    private final LoopMetricReader reader;
    private final Telemetry telemetry;
    private final @Nullable PrometheusScrape prometheus;

    /** A pipeline without a Prometheus endpoint. */
    public SignalPipeline(
            Resource resource,
            TelemetrySettings settings,
            SinkSet sinks,
            boolean periodic,
            ScheduledExecutorService loop) {
        this(resource, settings, sinks, periodic, loop, false);
    }

    /**
     * @param periodic true to export metrics every {@code export-interval}; false to export only on
     *                 {@link #flush(Duration)} (one-shot runs)
     * @param loop     the agent's event loop: times collections and event batches, never exports
     * @param prometheus also register a pull reader for {@code /metrics} on the same meter provider
     */
    public SignalPipeline(
            Resource resource,
            TelemetrySettings settings,
            SinkSet sinks,
            boolean periodic,
            ScheduledExecutorService loop,
            boolean prometheus) {
        // not started (one-shot runs), the reader collects only on flush() and exports nothing more at shutdown
        this.reader = new LoopMetricReader(sinks.metricExporter(), handOff);
        SdkMeterProviderBuilder meters =
                SdkMeterProvider.builder().setResource(resource).registerMetricReader(reader);
        // --- Prometheus /metrics: a second, pull reader on the same instruments (one meter pipeline) ---
        PrometheusReader pull = prometheus ? new PrometheusReader() : null;
        if (pull != null) {
            meters.registerMetricReader(pull);
        }
        this.prometheus = pull == null ? null : new PrometheusScrape(pull, resource);
        this.meterProvider = meters
                // the SDK's own otel.sdk.* self-metrics are noise next to derpwatch.* (docs/telemetry.md)
                .registerView(
                        InstrumentSelector.builder().setName("otel.sdk.*").build(),
                        View.builder().setAggregation(Aggregation.drop()).build())
                .build();
        LoopLogRecordProcessor events =
                new LoopLogRecordProcessor(sinks.logExporter(), handOff, loop, settings.eventFlushInterval());
        this.loggerProvider = SdkLoggerProvider.builder()
                .setResource(resource)
                .addLogRecordProcessor(events)
                .build();
        this.telemetry = new Telemetry(
                meterProvider
                        .meterBuilder(TelemetryNames.INSTRUMENTATION_SCOPE)
                        .setInstrumentationVersion(ResourceFactory.version())
                        .build(),
                new EventEmitter(
                        loggerProvider
                                .loggerBuilder(TelemetryNames.INSTRUMENTATION_SCOPE)
                                .setInstrumentationVersion(ResourceFactory.version())
                                .build(),
                        periodic ? events::flushNow : () -> {}));
        // "delivered or counted" holds for events too
        telemetry
                .meter()
                .counterBuilder(TelemetryNames.EVENTS_DROPPED)
                .setUnit("{event}")
                .setDescription("Events dropped before any sink saw them: the event queue was full")
                .buildWithCallback(m -> m.record(events.dropped()));
        if (periodic) {
            // a requested collection (the headline changed) waits event-flush-interval for more of the burst
            reader.start(loop, settings.exportInterval(), settings.eventFlushInterval());
        }
    }

    /**
     * Collects and exports every metric once more within {@code event-flush-interval}, between the
     * {@code export-interval} ticks: when the headline changes (so a backend sees the gauge's new value with the
     * change event, not an export interval later) and once the first samples are in. Requests within that bound
     * share one collection. Does nothing in a one-shot pipeline. Any thread.
     */
    public void collectSoon() {
        reader.collectSoon();
    }

    public Telemetry telemetry() {
        return telemetry;
    }

    /** The {@code /metrics} scrape, empty when the Prometheus endpoint is off. */
    public Optional<PrometheusScrape> prometheus() {
        return Optional.ofNullable(prometheus);
    }

    /** Collects every metric now and hands metrics and pending events to the sinks; true when all succeeded. */
    public boolean flush(Duration timeout) {
        handOff.drain(timeout);
        CompletableResultCode events = loggerProvider.forceFlush();
        CompletableResultCode metrics = meterProvider.forceFlush();
        return CompletableResultCode.ofAll(List.of(events, metrics))
                .join(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .isSuccess();
    }

    /** Exports what is pending one last time and shuts the exporters down. */
    public boolean shutdown(Duration timeout) {
        handOff.drain(timeout);
        CompletableResultCode events = loggerProvider.shutdown();
        CompletableResultCode metrics = meterProvider.shutdown();
        boolean ok = CompletableResultCode.ofAll(List.of(events, metrics))
                .join(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .isSuccess();
        handOff.close();
        return ok;
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(5));
    }
}
