package io.derpwatch.lab;

import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A script of node states for the emulator: each step changes the state and holds it for a while; a
 * repeating scenario starts over after its last step.
 */
public record LabScenario(List<Step> steps, boolean repeat) {

    /** One step: a name for logs, how it changes the node state, and how long it holds. */
    public record Step(String name, UnaryOperator<LabNodeState> change, Duration hold) {
        public Step {
            if (hold.isNegative() || hold.isZero()) {
                throw new IllegalArgumentException("a step must hold for a positive time: " + name);
            }
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
        String warning = LabNodeState.noDerpConnectionWarning(LabNodeState.DEFAULT_RELAY_NAME);
        return new LabScenario(
                List.of(
                        new Step("connected", s -> LabNodeState.connected(), phase),
                        new Step(
                                "no-derp-connection",
                                s -> LabNodeState.connected().withHealth(warning),
                                phase)),
                true);
    }

    /** {@link #demo(Duration)} with 8-second phases: a drop and a recovery within the first 30 s. */
    public static LabScenario demo() {
        return demo(Duration.ofSeconds(8));
    }
}
