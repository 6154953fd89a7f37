package io.derpwatch.agent.events;

import io.derpwatch.agent.ipn.FlappingRule;
import io.derpwatch.agent.telemetry.TelemetryNames;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.metrics.LongCounter;
import java.util.Optional;

/**
 * The flapping rule where change events are made: every change counts on its {@code .changes} counter; a
 * reported change passes, the one that crosses the limit becomes one {@code ...flapping} event, the rest are
 * dropped until the subject is stable for a window.
 */
final class Flapping {
    private final FlappingRule rule;
    private final LongCounter changes;
    private final String flappingEvent;

    Flapping(FlappingRule rule, LongCounter changes, String flappingEvent) {
        this.rule = rule;
        this.changes = changes;
        this.flappingEvent = flappingEvent;
    }

    /** {@code change} as reported, a flapping event in its place, or nothing. */
    Optional<ChangeEvent> gate(String subject, Attributes subjectAttributes, ChangeEvent change) {
        changes.add(1, subjectAttributes);
        FlappingRule.Verdict v = rule.onChange(subject);
        return switch (v.kind()) {
            case REPORT -> Optional.of(change);
            case SUPPRESSED -> Optional.empty();
            case FLAPPING ->
                Optional.of(new ChangeEvent(
                        flappingEvent,
                        Severity.WARN,
                        subject + " is flapping: " + v.changesInWindow()
                                + " changes within the flapping window; its change events are held until it is stable"
                                + " (last: " + change.body() + ")",
                        subjectAttributes.toBuilder()
                                .put(TelemetryNames.FLAPPING_CHANGES, (long) v.changesInWindow())
                                .build()));
        };
    }
}
