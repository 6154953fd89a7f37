/** Nullness: every type in this package is non-null unless marked {@code @Nullable}. */
@NullMarked
package io.derpwatch.agent.logs;

import org.jspecify.annotations.NullMarked;
