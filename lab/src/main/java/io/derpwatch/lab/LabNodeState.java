package io.derpwatch.lab;

import java.util.List;

/**
 * What the emulated tailscaled reports: its backend state, whether {@code Self} is present, its home DERP
 * region code ({@code Self.Relay}, empty for none), its health warnings, and whether it has a DERP map
 * ({@code /localapi/v0/derpmap} answers {@code null} when it has none), and its {@code TailscaleIPs} (empty: the
 * shipped document's own addresses; an empty list is served as {@code null}, as tailscaled does for a node with
 * none).
 */
public record LabNodeState(
        String backendState,
        boolean selfPresent,
        String relay,
        List<String> health,
        boolean derpMapPresent,
        java.util.Optional<List<String>> tailscaleIps) {

    /** The home region code the lab's node uses by default: region 3 of the shipped DERP map. */
    public static final String DEFAULT_RELAY = "r3";
    /** The name region 3 has in the shipped DERP map (the map's names are "r<ID>" placeholders). */
    public static final String DEFAULT_RELAY_NAME = "r3";

    public LabNodeState {
        health = List.copyOf(health);
        tailscaleIps = tailscaleIps.map(List::copyOf);
    }

    public LabNodeState(
            String backendState, boolean selfPresent, String relay, List<String> health, boolean derpMapPresent) {
        this(backendState, selfPresent, relay, health, derpMapPresent, java.util.Optional.empty());
    }

    /** Serves these {@code TailscaleIPs} (none: {@code null}, the "No IP assigned" case). */
    public LabNodeState withTailscaleIps(List<String> ips) {
        return new LabNodeState(backendState, selfPresent, relay, health, derpMapPresent, java.util.Optional.of(ips));
    }

    /** Running, connected to {@code relay}, no warnings, with a DERP map. */
    public static LabNodeState connected(String relay) {
        return new LabNodeState("Running", true, relay, List.of(), true);
    }

    /** The lab's default: running and connected to {@link #DEFAULT_RELAY}. */
    public static LabNodeState connected() {
        return connected(DEFAULT_RELAY);
    }

    public LabNodeState withBackendState(String state) {
        return new LabNodeState(state, selfPresent, relay, health, derpMapPresent, tailscaleIps);
    }

    public LabNodeState withSelfPresent(boolean present) {
        return new LabNodeState(backendState, present, relay, health, derpMapPresent, tailscaleIps);
    }

    public LabNodeState withRelay(String code) {
        return new LabNodeState(backendState, selfPresent, code, health, derpMapPresent, tailscaleIps);
    }

    public LabNodeState withHealth(List<String> warnings) {
        return new LabNodeState(backendState, selfPresent, relay, warnings, derpMapPresent, tailscaleIps);
    }

    public LabNodeState withHealth(String... warnings) {
        return withHealth(List.of(warnings));
    }

    public LabNodeState withDerpMapPresent(boolean present) {
        return new LabNodeState(backendState, selfPresent, relay, health, present, tailscaleIps);
    }

    /**
     * tailscaled's {@code no-derp-connection} warning (1.70+) for a region with a name in the DERP map, as
     * {@code health/warnings.go} words it.
     */
    public static String noDerpConnectionWarning(String regionName) {
        return "Tailscale could not connect to the '" + regionName + "' relay server. Your Internet connection"
                + " might be down, or the server might be temporarily unavailable.";
    }
}
