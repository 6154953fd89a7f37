package io.derpwatch.agent.insight;

import io.derpwatch.config.SettingsReader;
import io.derpwatch.config.SettingsSection;
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
 *                               check must disagree before {@code home_derp_disagreement} starts (outside
 *                               this section: {@link #withDisagreementFor})
 * @param enabled                {@code enabled}: evaluate the rules at all
 */
public record InsightSettings(
        double forcedDerpShare,
        int forcedDerpMinPeers,
        Duration forcedDerpFor,
        int flappingChanges,
        Duration peerRelayAfter,
        Duration randomPortAfter,
        Duration flappingWindow,
        Duration disagreementFor,
        boolean enabled) {

    public static final InsightSettings DEFAULTS = new InsightSettings(
            0.5,
            2,
            Duration.ofMinutes(5),
            3,
            Duration.ofHours(1),
            Duration.ofMinutes(10),
            Duration.ofMinutes(30),
            Duration.ZERO,
            true);

    /** These settings with {@code home_derp_disagreement}'s hold time (the DERP check's threshold). */
    public InsightSettings withDisagreementFor(Duration d) {
        return new InsightSettings(
                forcedDerpShare,
                forcedDerpMinPeers,
                forcedDerpFor,
                flappingChanges,
                peerRelayAfter,
                randomPortAfter,
                flappingWindow,
                d,
                enabled);
    }

    /** Listed in META-INF/services/io.derpwatch.config.SettingsSection. */
    public static final class Section implements SettingsSection<InsightSettings> {
        @Override
        public String key() {
            return "insights";
        }

        @Override
        public InsightSettings read(SettingsReader r) {
            double share = 0;
            try {
                share = r.config().getDouble("forced-derp.share");
            } catch (RuntimeException e) {
                r.problem("forced-derp.share", "not a number (expected a share such as 0.5)");
            }
            if (share < 0 || share > 1) {
                r.problem("forced-derp.share", "out of range: " + share + " (expected 0 to 1)");
            }
            return new InsightSettings(
                    share,
                    r.child("forced-derp").integer("min-active-peers", 0, 1_000_000),
                    // 0 is allowed here: start forced_derp on the first sample that shows it
                    r.config().getDuration("forced-derp.for"),
                    r.child("home-derp-flapping").integer("changes", 1, 1000),
                    r.child("peer-relay-suggestion").duration("after"),
                    r.child("random-udp-port").duration("after"),
                    r.child("home-derp-flapping").duration("window"),
                    Duration.ZERO,
                    r.bool("enabled"));
        }
    }
}
