package io.derpwatch.agent.home;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Holds the latest {@link HomeSnapshot}. The status source writes it on the event loop; instruments, the
 * admin server and {@code run --once} read it from any thread.
 */
public final class HomeState {
    private final AtomicReference<HomeSnapshot> latest = new AtomicReference<>();

    /** The latest snapshot, empty before the first sample. */
    public Optional<HomeSnapshot> latest() {
        return Optional.ofNullable(latest.get());
    }

    void update(HomeSnapshot snapshot) {
        latest.set(Objects.requireNonNull(snapshot));
    }
}
