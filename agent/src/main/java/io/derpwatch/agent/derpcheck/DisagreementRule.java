package io.derpwatch.agent.derpcheck;

import io.derpwatch.agent.home.HomeConnection;
import io.derpwatch.agent.home.HomeReason;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * {@code tailscale.derp.home_connection.disagreement}: tailscaled's view of the home connection against the
 * active check's. tailscaled connected while the check fails (a "zombie" home DERP, tailscale#15776; TCP to
 * DERP blocked while STUN works, #17216), or tailscaled disconnected while the check succeeds. A disagreement
 * is reported once, when it has lasted {@code threshold} (0: at the first observation); agreement resets it,
 * so the next disagreement is reported again. Injected monotonic clock; not thread-safe (one event loop).
 */
public final class DisagreementRule {
    /** What to report: both sides' evidence and how long they have disagreed. */
    public record Disagreement(boolean tailscaledConnected, DerpCheckResult check, Duration lasted) {
        public Disagreement {
            Objects.requireNonNull(check);
        }
    }

    private final long thresholdNanos;
    private final LongSupplier nanoClock;
    private long since = -1;
    private boolean reported;

    public DisagreementRule(Duration threshold, LongSupplier nanoClock) {
        if (threshold.isNegative()) {
            throw new IllegalArgumentException("disagreement threshold must not be negative: " + threshold);
        }
        this.thresholdNanos = threshold.toNanos();
        this.nanoClock = Objects.requireNonNull(nanoClock);
    }

    /**
     * Whether tailscaled's view can be held against the check: tailscaled runs with a home region, connected or
     * with a DERP-home warning (a stopped or logged-out daemon, or one without a home region, is no evidence).
     */
    public static boolean comparable(HomeReason reason) {
        return reason == HomeReason.CONNECTED
                || reason == HomeReason.DERP_UNREACHABLE
                || reason == HomeReason.DERP_TIMED_OUT
                || reason == HomeReason.NO_DERP_HOME;
    }

    /** Whether tailscaled's view and the check of its home region disagree, where they can be compared. */
    public static boolean disagree(HomeConnection tailscaled, DerpCheckResult check) {
        return comparable(tailscaled.reason()) && tailscaled.connected() != check.reachable();
    }

    /** One observation: tailscaled's latest view and the latest check of the home region. */
    public Optional<Disagreement> observe(boolean tailscaledConnected, DerpCheckResult check) {
        long now = nanoClock.getAsLong();
        if (tailscaledConnected == check.reachable()) {
            since = -1;
            reported = false;
            return Optional.empty();
        }
        if (since < 0) {
            since = now;
        }
        if (reported || now - since < thresholdNanos) {
            return Optional.empty();
        }
        reported = true;
        return Optional.of(new Disagreement(tailscaledConnected, check, Duration.ofNanos(now - since)));
    }
}
