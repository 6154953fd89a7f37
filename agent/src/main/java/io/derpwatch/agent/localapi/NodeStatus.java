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
 * @param tailscaleIps {@code TailscaleIPs}: this node's tailnet addresses ({@code null} reads as none), empty
 *                     when the document does not have the field
 */
public record NodeStatus(
        String version,
        String backendState,
        boolean selfPresent,
        String selfRelay,
        List<String> health,
        Optional<PeerPaths> peers,
        Optional<List<String>> tailscaleIps) {

    public static final String RUNNING = "Running";

    public NodeStatus {
        health = List.copyOf(health);
        tailscaleIps = tailscaleIps.map(List::copyOf);
    }

    /** A status without {@code TailscaleIPs} (unknown). */
    public NodeStatus(
            String version,
            String backendState,
            boolean selfPresent,
            String selfRelay,
            List<String> health,
            Optional<PeerPaths> peers) {
        this(version, backendState, selfPresent, selfRelay, health, peers, Optional.empty());
    }

    /**
     * The product brief's "No IP assigned": {@code Running} or {@code Starting} while {@code TailscaleIPs} is
     * present and empty (or null); false when the document does not say.
     */
    public boolean noIpAssigned() {
        return (RUNNING.equals(backendState) || "Starting".equals(backendState))
                && tailscaleIps.map(List::isEmpty).orElse(false);
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
