/**
 * The sink SPI and its values: a sink type is a {@link io.derpwatch.sinks.SinkFactory} (found with {@link
 * java.util.ServiceLoader}) that validates a sink block and creates a {@link io.derpwatch.sinks.Sink}, which sends
 * one {@link io.derpwatch.sinks.Batch} at a time. {@link io.derpwatch.sinks.SinkStats} and {@link
 * io.derpwatch.sinks.DropReason} are what the agent reads back. This package depends on no other package of the
 * module: {@code delivery} (queue, retry, worker) and {@code runtime} (catalog, open sinks) depend on it.
 *
 * <p>Nullness: every type in this package is non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.derpwatch.sinks;

import org.jspecify.annotations.NullMarked;
