package io.derpwatch.agent.localapi;

import java.util.List;
import java.util.Optional;

/**
 * What derpwatch reads from {@code /localapi/v0/status} ({@code ipnstate.Status}).
 *
 * @param version      {@code Version}, empty when absent
 * @param backendState {@code BackendState} ({@code Running}, {@code Stopped}, {@code NeedsLogin}, ...),
 *                     empty when absent
 * @param selfPresent  whether {@code Self} is a non-null object
 * @param selfRelay    {@code Self.Relay}: the code of this node's home DERP region, empty for none
 * @param health       {@code Health}: tailscaled's current warning texts
 * @param peers        path counts over {@code Peer}, empty when the document has no peers (as with
 *                     {@code ?peers=false})
 */
public record NodeStatus(
        String version,
        String backendState,
        boolean selfPresent,
        String selfRelay,
        List<String> health,
        Optional<PeerPaths> peers) {

    public static final String RUNNING = "Running";

    public NodeStatus {
        health = List.copyOf(health);
    }

    public boolean running() {
        return RUNNING.equals(backendState);
    }

    /**
     * How many peers use each path: {@code direct} (a {@code CurAddr}), {@code peer_relay} (a
     * {@code PeerRelay}), {@code derp} (active through a DERP {@code Relay}), {@code idle} (none of these).
     */
    public record PeerPaths(int direct, int derp, int peerRelay, int idle) {}
}
