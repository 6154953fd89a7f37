package io.derpwatch.agent.ipn;

import org.jspecify.annotations.Nullable;

/** An IPN-bus record that cannot be read as an {@code ipn.Notify}; the message says why and where. */
public final class IpnNotifyException extends Exception {
    public IpnNotifyException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
