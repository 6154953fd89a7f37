package io.derpwatch.agent.peers;

/**
 * One peer as derpwatch keeps it: never its keys or addresses.
 *
 * @param id       the peer's identity across samples ({@code DNSName}, else {@code HostName}); not exported
 * @param hostName {@code HostName}, the {@code tailscale.peer.name} attribute
 * @param region   the DERP region code of its {@code Relay} (its home region), empty when none
 */
public record PeerEntry(String id, String hostName, PeerPath path, String region, boolean online) {}
