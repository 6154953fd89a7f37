/** Nullness: every type in this package is non-null unless marked {@code @Nullable}. */
@NullMarked
package io.derpwatch.agent.telemetry;

import org.jspecify.annotations.NullMarked;
