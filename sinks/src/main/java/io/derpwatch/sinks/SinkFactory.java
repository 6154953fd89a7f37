package io.derpwatch.sinks;

import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.SinkSettings;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The sink SPI, named the way the OpenTelemetry Collector names its exporter factories: one factory per sink
 * {@code type}, found with {@link java.util.ServiceLoader} (a new sink is one package plus one line in
 * {@code META-INF/services/io.derpwatch.sinks.SinkFactory}). The factory turns a sink block into a validated
 * config ({@link #createConfig}) and a config into a configured {@link Sink} ({@link #create}). The type's defaults
 * live in the module's {@code reference.conf} under {@code derpwatch.sink-types.<type>}.
 *
 * @param <C> the validated settings of one sink of this type
 */
public interface SinkFactory<C> {

    /** The {@code type = ...} value this factory serves. */
    String type();

    /**
     * Reads and validates one sink block, adding every problem to {@code problems}. Starts nothing and opens no
     * connection, so {@code derpwatch validate} can call it. Returns null when there were problems.
     */
    @Nullable
    C createConfig(SinkSettings settings, List<ConfigProblem> problems);

    /** Creates the configured sink (may open connections lazily; never blocks for long). */
    Sink create(C config, SinkContext context);

    /**
     * True when this type's sinks take encoded batches ({@link Sink#encoding()} is not {@link
     * PayloadEncoding#SDK_DATA}), which can therefore be kept in the persistent queue.
     */
    default boolean supportsPersistentQueue() {
        return false;
    }
}
