package io.derpwatch.agent.derpcheck;

import java.util.Locale;

/**
 * The steps of a DERP check, in order; a failed check names the step that failed ({@link #wireName()} is the
 * {@code tailscale.derp.check.step} attribute), a successful one has a duration for each.
 */
public enum DerpCheckStep {
    /** Resolving the node's {@code HostName} (skipped, zero, when the DERP map gives an IP). */
    DNS,
    /** The TCP connect to the DERP port. */
    TCP,
    /** The TLS handshake, the certificate checked against the host name. */
    TLS,
    /** {@code GET /derp} with {@code Upgrade: DERP} up to a {@code 101 Switching Protocols} head. */
    HTTP,
    /** After the 101, the server-key frame (type 0x01, magic {@code "DERP🔑"}). */
    NO_SERVER_KEY;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
