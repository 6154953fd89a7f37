package io.derpwatch.agent.events;

import static io.derpwatch.agent.telemetry.TelemetryNames.*;

import io.derpwatch.agent.insight.InsightSnapshot;
import io.derpwatch.agent.insight.InsightTransition;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.logs.Severity;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** {@code tailscale.insight}: one event per transition (active or cleared) of the new insight snapshot. */
final class InsightEvents implements SnapshotDiff<InsightSnapshot> {
    @Override
    public List<ChangeEvent> diff(@Nullable InsightSnapshot previous, InsightSnapshot current) {
        List<ChangeEvent> out = new ArrayList<>(current.transitions().size());
        for (InsightTransition t : current.transitions()) {
            AttributesBuilder b = Attributes.builder()
                    .put(INSIGHT_ID, t.id())
                    .put(INSIGHT_STATE, t.state().wireName())
                    .put(INSIGHT_SEVERITY, t.severity().wireName())
                    .put(INSIGHT_MESSAGE, t.message());
            t.evidence().forEach((k, v) -> {
                String key = INSIGHT_EVIDENCE_PREFIX + k;
                if (v instanceof Long l) {
                    b.put(AttributeKey.longKey(key), l);
                } else if (v instanceof Integer i) {
                    b.put(AttributeKey.longKey(key), i.longValue());
                } else if (v instanceof Double d) {
                    b.put(AttributeKey.doubleKey(key), d);
                } else if (v instanceof Boolean x) {
                    b.put(AttributeKey.booleanKey(key), x);
                } else {
                    b.put(AttributeKey.stringKey(key), String.valueOf(v));
                }
            });
            Severity severity = t.state() == InsightTransition.State.CLEARED
                    ? Severity.INFO
                    : switch (t.severity()) {
                        case INFO -> Severity.INFO;
                        case WARNING -> Severity.WARN;
                        case CRITICAL -> Severity.ERROR;
                    };
            String verb = t.state() == InsightTransition.State.ACTIVE ? "insight " : "insight cleared: ";
            out.add(new ChangeEvent(EVENT_INSIGHT, severity, verb + t.id() + ": " + t.message(), b.build()));
        }
        return out;
    }
}
