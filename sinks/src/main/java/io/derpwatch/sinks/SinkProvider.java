package io.derpwatch.sinks;

import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.SinkSettings;
import java.util.List;

/**
 * The sink SPI: one implementation per sink {@code type}, found with {@link java.util.ServiceLoader}
 * (a new sink is one package plus one line in {@code META-INF/services/io.derpwatch.sinks.SinkProvider}).
 * The type's defaults live in the module's {@code reference.conf} under {@code derpwatch.sink-types.<type>}.
 */
public interface SinkProvider {

    /** The {@code type = ...} value this provider serves. */
    String type();

    /**
     * Reads and validates this sink's settings, adding every problem to {@code problems}. Starts nothing and
     * opens no connection, so {@code derpwatch validate} can call it. Returns null when there were problems.
     */
    SinkFactory configure(SinkSettings settings, List<ConfigProblem> problems);

    /**
     * True when this type's sinks are {@link PayloadSink}s, whose batches are bytes and so can be kept in the
     * persistent queue ({@code queue.persistent.enabled = true}).
     */
    default boolean supportsPersistentQueue() {
        return false;
    }
}
