package io.derpwatch.agent.telemetry;

import io.opentelemetry.api.metrics.Meter;

/**
 * What a source or instrument set needs to publish signals: the agent's {@link Meter} (register observable
 * instruments that read state at collection time) and the {@link EventEmitter}.
 */
public record Telemetry(Meter meter, EventEmitter events) {}
