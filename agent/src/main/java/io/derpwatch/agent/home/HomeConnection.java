package io.derpwatch.agent.home;

import java.util.Objects;
import java.util.Optional;

/**
 * The value of {@code tailscale.derp.home_connection} and why.
 *
 * @param value   1 connected to the home DERP region, else 0
 * @param region  the home region, empty when there is none (or none was ever known)
 * @param warning the tailscaled health text that decided the value, when one did
 */
public record HomeConnection(int value, HomeReason reason, Optional<HomeRegion> region, Optional<String> warning) {

    public HomeConnection {
        Objects.requireNonNull(reason);
        if (value != 0 && value != 1) {
            throw new IllegalArgumentException("home connection is 0 or 1, not " + value);
        }
        if ((value == 1) != (reason == HomeReason.CONNECTED)) {
            throw new IllegalArgumentException("value " + value + " does not fit reason " + reason);
        }
    }

    public boolean connected() {
        return value == 1;
    }
}
