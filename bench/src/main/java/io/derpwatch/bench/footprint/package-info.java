/** Nullness: every type in this package is non-null unless marked {@code @Nullable}. */
@NullMarked
package io.derpwatch.bench.footprint;

import org.jspecify.annotations.NullMarked;
