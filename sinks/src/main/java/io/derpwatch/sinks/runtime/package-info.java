/**
 * What the agent uses of the sinks: the catalog of sink types ({@link io.derpwatch.sinks.runtime.SinkCatalog}) and
 * the open sinks ({@link io.derpwatch.sinks.runtime.SinkSet}). Depends on the SPI ({@code io.derpwatch.sinks}) and
 * the delivery wrapper ({@code io.derpwatch.sinks.delivery}); nothing depends on it inside the module.
 *
 * <p>Nullness: every type in this package is non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.derpwatch.sinks.runtime;

import org.jspecify.annotations.NullMarked;
