package io.derpwatch.agent.ipn;

import io.derpwatch.agent.source.SourceError;
import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.state.Topic;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How the agent reads tailscaled now, and why; published on {@link #TOPIC} by the IPN-bus source when it
 * changes (and once at start when the watch is off).
 *
 * @param mode   {@code bus} (the IPN bus is watched; {@code /status} polling stays the safety net) or
 *               {@code poll} ({@code /status} at {@code status.interval} only): {@code derpwatch.source.mode}
 * @param reason why, one of a few codes ({@code derpwatch.source.mode.reason}): {@link #WATCHING},
 *               {@link #BEFORE_1_70}, {@link #NO_BUS}, {@link #RECONNECTING}, {@link #NO_STATUS},
 *               {@link #DISABLED}
 * @param detail the same for a person, e.g. "tailscaled 1.58.2 is before 1.70: no structured health on the bus"
 */
public record WatchMode(String mode, String reason, String detail, Instant since) {
    public static final Topic<WatchMode> TOPIC = new Topic<>("watch_mode", WatchMode.class);

    /** The watch is open. */
    public static final String WATCHING = "watching";
    /** tailscaled before 1.70 sends no structured health on the bus: polled. */
    public static final String BEFORE_1_70 = "before_1_70";
    /** The LocalAPI has no IPN bus (an HTTP error on watch-ipn-bus): polled. */
    public static final String NO_BUS = "no_bus";
    /** The watch ended or failed; polled until it reopens. */
    public static final String RECONNECTING = "reconnecting";
    /** No {@code /status} read yet, so no version and no mask: polled. */
    public static final String NO_STATUS = "no_status";
    /** {@code derpwatch.ipn-bus.enabled = false}: polled. */
    public static final String DISABLED = "disabled";

    public WatchMode {
        Objects.requireNonNull(mode);
        Objects.requireNonNull(reason);
        Objects.requireNonNull(detail);
        Objects.requireNonNull(since);
    }

    /** Whether the watch is open. */
    public boolean bus() {
        return mode.equals(IpnBusSource.MODE_BUS);
    }

    /** Publishes {@code now} on {@link #TOPIC} unless the mode and reason are what the topic already has. */
    static void publish(StateStore state, WatchMode now) {
        Optional<WatchMode> last = state.latest(TOPIC);
        if (last.isEmpty()
                || !last.get().mode().equals(now.mode())
                || !last.get().reason().equals(now.reason())) {
            state.publish(TOPIC, now);
        }
    }

    /** After a watch ended: {@link #NO_BUS} on an HTTP error (no bus there), else {@link #RECONNECTING}. */
    static WatchMode ended(@Nullable SourceError error, @Nullable Throwable failure, Instant at) {
        if (error != null && error.type().equals("http_status")) {
            return poll(NO_BUS, "the LocalAPI has no IPN bus (" + error.message() + "): polling /status", at);
        }
        String why = failure == null ? "end of stream" : error == null ? String.valueOf(failure) : error.message();
        return poll(RECONNECTING, "the IPN bus watch ended (" + why + "): polling until it reopens", at);
    }

    /** The poll mode for {@code reason}. */
    public static WatchMode poll(String reason, String detail, Instant since) {
        return new WatchMode(IpnBusSource.MODE_POLL, reason, detail, since);
    }
}
