package io.derpwatch.agent.state;

/**
 * A kind of snapshot in the {@link StateStore}: its name and type. Each feature declares its topic beside its
 * snapshot record (e.g. {@code HomeSnapshot.TOPIC}), so the store knows no feature.
 */
public record Topic<T>(String name, Class<T> type) {}
