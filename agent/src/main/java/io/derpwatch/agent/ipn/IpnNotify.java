package io.derpwatch.agent.ipn;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The parts of one {@code ipn.Notify} derpwatch reads. Every field is optional on the wire: a notify carries
 * only what changed.
 *
 * @param version      the daemon's version ({@code Version}, sent on every notify), empty when absent
 * @param errMessage   {@code ErrMessage}: a critical error, e.g. "IPN bus consumer fell behind; closing watch"
 * @param state        {@code State} (a number on the bus), empty when absent or a number no version defines
 * @param health       {@code Health.Warnings} by code when the notify carries {@code Health} (an empty map: healthy)
 * @param homeRegionId {@code SelfChange.HomeDERP} when the notify carries a self-node change with it
 *                     ({@code Notify.SelfChange} since 1.98, {@code Node.HomeDERP} since 1.80): control's copy of
 *                     the home region, sent after control has echoed the node's new home, not when it moves
 */
public record IpnNotify(
        String version,
        Optional<String> errMessage,
        Optional<BackendState> state,
        Optional<Map<String, HealthWarning>> health,
        OptionalInt homeRegionId) {

    public IpnNotify {
        health = health.map(Map::copyOf);
    }

    /** tailscaled is about to close the watch because this reader fell behind (1.102+). */
    public boolean fellBehind() {
        return errMessage.filter(m -> m.contains("fell behind")).isPresent();
    }
}
