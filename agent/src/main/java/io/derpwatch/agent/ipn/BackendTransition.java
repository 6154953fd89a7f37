package io.derpwatch.agent.ipn;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A change of tailscaled's backend state: the {@code tailscale.backend.state.changed} event.
 *
 * @param previous empty for the first state seen
 */
public record BackendTransition(Optional<BackendState> previous, BackendState current) {
    public BackendTransition {
        Objects.requireNonNull(current);
    }

    /** The transition from {@code before} to {@code after}, empty when the state did not change. */
    public static Optional<BackendTransition> between(Optional<BackendState> before, BackendState after) {
        return before.filter(after::equals).isPresent()
                ? Optional.empty()
                : Optional.of(new BackendTransition(before, after));
    }

    /**
     * The product brief's "No IP assigned": {@code Running} or {@code Starting} with no {@code TailscaleIPs}
     * (the {@code tailscale.node.no_ip_assigned} event while it holds, its clearing when it stops).
     */
    public static boolean noIpAssigned(BackendState state, List<String> tailscaleIps) {
        return (state == BackendState.RUNNING || state == BackendState.STARTING) && tailscaleIps.isEmpty();
    }
}
