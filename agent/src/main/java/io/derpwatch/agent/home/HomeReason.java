package io.derpwatch.agent.home;

import java.util.Locale;

/** Why {@code tailscale.derp.home_connection} has its value. {@link #wireName()} is the {@code reason}. */
public enum HomeReason {
    /** Running, a home region, no DERP-home warning: the value is 1. */
    CONNECTED,
    /** {@code BackendState} is not {@code Running} (Stopped, NeedsLogin, Starting, ...). */
    NOT_RUNNING,
    /** The status has no {@code Self}. */
    NO_SELF,
    /** {@code Self.Relay} is empty: magicsock has not picked a home region. */
    NO_HOME_REGION,
    /** tailscaled warns it could not connect to any relay server ({@code no-derp-home}, pre-1.70 "no DERP home"). */
    NO_DERP_HOME,
    /** tailscaled warns it is not connected to the home relay ({@code no-derp-connection}). */
    DERP_UNREACHABLE,
    /** tailscaled warns it has not heard from the home relay for a while ({@code derp-timed-out}). */
    DERP_TIMED_OUT,
    /** The LocalAPI socket could not be reached (missing, refused, permission denied, timeout). */
    LOCALAPI_UNREACHABLE,
    /** The LocalAPI answered, but not with a usable status (HTTP error, truncated, oversized, bad JSON). */
    LOCALAPI_ERROR;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
