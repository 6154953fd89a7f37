/** Benchmarks of the peers source's status parse at tailnet scale. */
@NullMarked
package io.derpwatch.bench.peers;

import org.jspecify.annotations.NullMarked;
