/**
 * The active home-DERP check: from this node, over the path DERP traffic takes (TCP + TLS to the DERP port),
 * the DERP upgrade ({@code GET /derp}, {@code Upgrade: DERP}) up to the server's first frame, the server-key
 * frame. Read-only: no client key is sent, no packet relayed.
 *
 * <p>Nullness: every type in this package is non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.derpwatch.agent.derpcheck;

import org.jspecify.annotations.NullMarked;
