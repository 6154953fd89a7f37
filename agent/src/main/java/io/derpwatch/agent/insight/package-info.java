/** Nullness: every type in this package is non-null unless marked {@code @Nullable}. */
@NullMarked
package io.derpwatch.agent.insight;

import org.jspecify.annotations.NullMarked;
