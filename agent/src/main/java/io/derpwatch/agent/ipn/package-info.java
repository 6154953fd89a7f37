/**
 * tailscaled's IPN bus ({@code /localapi/v0/watch-ipn-bus}): the {@code ipn.Notify} codec, the watch mask per
 * daemon version, and the pure rules over notifies (health-warning diff, home connection from the DERP-home
 * codes, backend state, "No IP assigned", flapping). No I/O here.
 *
 * <p>Nullness: every type in this package is non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.derpwatch.agent.ipn;

import org.jspecify.annotations.NullMarked;
