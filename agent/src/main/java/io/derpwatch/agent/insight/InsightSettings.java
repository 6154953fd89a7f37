package io.derpwatch.agent.insight;

import java.time.Duration;

/**
 * The rules' knobs ({@code derpwatch.insights.*} in reference.conf, where each default is explained).
 *
 * @param forcedDerpShare        {@code forced-derp.share}: the share of active peers through a relay that starts
 *                               {@code forced_derp}
 * @param forcedDerpMinPeers     {@code forced-derp.min-active-peers}: fewer active peers say nothing
 * @param forcedDerpFor          {@code forced-derp.for}: how long the share must hold
 * @param flappingChanges        {@code home-derp-flapping.changes}: home changes within the window that count
 *                               as flapping
 * @param peerRelayAfter         {@code peer-relay-suggestion.after}: how long {@code forced_derp}'s condition
 *                               must persist before suggesting a Peer Relay
 * @param randomPortAfter        {@code random-udp-port.after}: how long direct paths must fail to form
 * @param flappingWindow         {@code home-derp-flapping.window}: the window the home changes are counted in
 * @param disagreementFor        {@code derp-check.disagreement-threshold}: how long tailscaled and the active
 *                               check must disagree before {@code home_derp_disagreement} starts
 */
public record InsightSettings(
        double forcedDerpShare,
        int forcedDerpMinPeers,
        Duration forcedDerpFor,
        int flappingChanges,
        Duration peerRelayAfter,
        Duration randomPortAfter,
        Duration flappingWindow,
        Duration disagreementFor) {

    public static final InsightSettings DEFAULTS = new InsightSettings(
            0.5,
            2,
            Duration.ofMinutes(5),
            3,
            Duration.ofHours(1),
            Duration.ofMinutes(10),
            Duration.ofMinutes(30),
            Duration.ZERO);
}
