package io.derpwatch.lab;

import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A script of node states for the emulator: each step changes the state and holds it for a while; a
 * repeating scenario starts over after its last step.
 */
public record LabScenario(List<Step> steps, boolean repeat) {

    /**
     * One step: a name for logs, how it changes the node state, how long it holds, and what it means in words
     * (the demo prints it as the step begins).
     */
    public record Step(String name, UnaryOperator<LabNodeState> change, Duration hold, String narration) {
        public Step {
            if (hold.isNegative() || hold.isZero()) {
                throw new IllegalArgumentException("a step must hold for a positive time: " + name);
            }
        }

        public Step(String name, UnaryOperator<LabNodeState> change, Duration hold) {
            this(name, change, hold, name);
        }
    }

    public LabScenario {
        steps = List.copyOf(steps);
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("a scenario needs at least one step");
        }
    }

    /**
     * What {@code derpwatch demo} shows: connected to the home region, then tailscaled's
     * {@code no-derp-connection} warning for it, then connected again, each for {@code phase}, repeating.
     */
    public static LabScenario demo(Duration phase) {
        return demo(phase, LabNodeState.DEFAULT_RELAY, LabNodeState.DEFAULT_RELAY_NAME);
    }

    /** {@link #demo(Duration)} with the home region {@code relay} (its code) named {@code regionName}. */
    public static LabScenario demo(Duration phase, String relay, String regionName) {
        String warning = LabNodeState.noDerpConnectionWarning(regionName);
        return new LabScenario(
                List.of(
                        new Step(
                                "connected",
                                s -> LabNodeState.connected(relay),
                                phase,
                                "tailscaled is connected to its home DERP region " + relay + " and warns of nothing"),
                        new Step(
                                "no-derp-connection",
                                s -> LabNodeState.connected(relay).withHealth(warning),
                                phase,
                                "tailscaled loses its home DERP region " + relay + ": it raises the "
                                        + "no-derp-connection warning (\"could not connect to the '" + regionName
                                        + "' relay server\")")),
                true);
    }

    /** {@link #demo(Duration)} with 8-second phases: a drop and a recovery within the first 30 s. */
    public static LabScenario demo() {
        return demo(Duration.ofSeconds(8));
    }
}
