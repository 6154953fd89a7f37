package io.derpwatch.agent.ipn;

import java.util.Optional;

/**
 * tailscaled's {@code ipn.State}: a number on the IPN bus ({@code ipn/backend.go}: 0 NoState .. 6 Running),
 * a string ({@link #wireName()}) in {@code /status}'s {@code BackendState}.
 */
public enum BackendState {
    NO_STATE("NoState"),
    IN_USE_OTHER_USER("InUseOtherUser"),
    NEEDS_LOGIN("NeedsLogin"),
    NEEDS_MACHINE_AUTH("NeedsMachineAuth"),
    STOPPED("Stopped"),
    STARTING("Starting"),
    RUNNING("Running");

    private final String wireName;

    BackendState(String wireName) {
        this.wireName = wireName;
    }

    /** As tailscaled spells it: {@code Running}, {@code NeedsLogin}, ... */
    public String wireName() {
        return wireName;
    }

    /** The state with this bus number; empty for a number no version defines. */
    public static Optional<BackendState> ofNumber(int n) {
        BackendState[] all = values();
        return n >= 0 && n < all.length ? Optional.of(all[n]) : Optional.empty();
    }

    /** The state with this {@code /status} name; empty when unknown. */
    public static Optional<BackendState> ofName(String name) {
        for (BackendState s : values()) {
            if (s.wireName.equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
