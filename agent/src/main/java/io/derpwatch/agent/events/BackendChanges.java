package io.derpwatch.agent.events;

import io.derpwatch.agent.ipn.BackendSnapshot;
import io.derpwatch.agent.ipn.BackendState;
import io.derpwatch.agent.ipn.BackendTransition;
import io.derpwatch.agent.telemetry.TelemetryNames;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.logs.Severity;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** {@code tailscale.backend.state.changed} on the first backend state and every change of it. */
final class BackendChanges implements SnapshotDiff<BackendSnapshot> {
    @Override
    public List<ChangeEvent> diff(@Nullable BackendSnapshot previous, BackendSnapshot current) {
        Optional<BackendState> before = previous == null ? Optional.empty() : Optional.of(previous.state());
        return BackendTransition.between(before, current.state())
                .map(t -> {
                    AttributesBuilder b = io.opentelemetry.api.common.Attributes.builder()
                            .put(TelemetryNames.BACKEND_STATE_NAME, t.current().wireName())
                            .put(TelemetryNames.SOURCE_MODE, current.mode());
                    t.previous().ifPresent(p -> b.put(TelemetryNames.PREVIOUS_BACKEND_STATE, p.wireName()));
                    Severity severity = t.current() == BackendState.RUNNING ? Severity.INFO : Severity.WARN;
                    String body = "tailscaled backend state "
                            + t.previous().map(p -> p.wireName() + " -> ").orElse("")
                            + t.current().wireName();
                    return List.of(
                            new ChangeEvent(TelemetryNames.EVENT_BACKEND_STATE_CHANGED, severity, body, b.build()));
                })
                .orElse(List.of());
    }
}
