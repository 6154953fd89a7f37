/**
 * The IPN-bus detection-latency and idle-CPU harness ({@link io.derpwatch.bench.ipn.BusLatencyBench}).
 *
 * <p>Nullness: every type in this package is non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.derpwatch.bench.ipn;

import org.jspecify.annotations.NullMarked;
