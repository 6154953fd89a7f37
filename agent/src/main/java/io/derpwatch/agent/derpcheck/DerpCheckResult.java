package io.derpwatch.agent.derpcheck;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What one DERP check found.
 *
 * @param failedStep the step that failed; empty when the server-key frame arrived (reachable)
 * @param error      what went wrong, empty when reachable
 * @param durations  how long each completed step took (a failed step and those after it are absent)
 */
public record DerpCheckResult(
        DerpCheckTarget target,
        Optional<DerpCheckStep> failedStep,
        String error,
        Map<DerpCheckStep, Duration> durations) {

    public DerpCheckResult {
        Objects.requireNonNull(target);
        Objects.requireNonNull(error);
        durations = Map.copyOf(durations);
    }

    /** 1 for {@code tailscale.derp.region.reachable}: the server-key frame arrived. */
    public boolean reachable() {
        return failedStep.isEmpty();
    }

    /** TCP connect through server-key frame (DNS excluded); zero when not reachable. */
    public Duration connectDuration() {
        return durations.entrySet().stream()
                .filter(e -> e.getKey() != DerpCheckStep.DNS)
                .map(Map.Entry::getValue)
                .reduce(Duration.ZERO, Duration::plus);
    }
}
