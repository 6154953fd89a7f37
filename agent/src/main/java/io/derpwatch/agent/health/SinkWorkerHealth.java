package io.derpwatch.agent.health;

import java.time.Duration;
import java.util.Optional;

/**
 * One sink's delivery worker as the sinks module reports it.
 *
 * @param alive          false when the worker died and is not (yet) restarted
 * @param oldestQueued   how long the oldest queued batch has waited; empty when the queue is empty or unknown
 */
public record SinkWorkerHealth(String sink, boolean alive, Optional<Duration> oldestQueued) {}
