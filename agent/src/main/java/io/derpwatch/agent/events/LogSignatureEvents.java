package io.derpwatch.agent.events;

import io.derpwatch.agent.logs.LogMatch;
import io.derpwatch.agent.logs.LogSignatureBatch;
import io.derpwatch.agent.telemetry.TelemetryNames;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.logs.Severity;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * {@code tailscale.log.signature}: one event per matched tailscaled log line of the new batch, the signature id
 * and its fields as attributes, the line as body, the line's own time (when it had one) as the event's time
 * (the record's timestamp; its observed timestamp is when the agent read it) and as {@code tailscale.log.time}.
 */
final class LogSignatureEvents implements SnapshotDiff<LogSignatureBatch> {
    static final AttributeKey<String> LOG_TIME = AttributeKey.stringKey(TelemetryNames.LOG_TIME);

    @Override
    public List<ChangeEvent> diff(@Nullable LogSignatureBatch previous, LogSignatureBatch current) {
        List<ChangeEvent> out = new ArrayList<>(current.matches().size());
        for (LogMatch m : current.matches()) {
            AttributesBuilder b = Attributes.builder().put(TelemetryNames.LOG_SIGNATURE, m.signature());
            if (m.time() != null) {
                b.put(LOG_TIME, m.time().toString());
            }
            m.attributes().forEach((k, v) -> {
                if (v instanceof Long l) {
                    b.put(AttributeKey.longKey(k), l);
                } else if (v instanceof Boolean x) {
                    b.put(AttributeKey.booleanKey(k), x);
                } else if (v instanceof List<?> list) {
                    b.put(
                            AttributeKey.stringArrayKey(k),
                            list.stream().map(String::valueOf).toList());
                } else {
                    b.put(AttributeKey.stringKey(k), String.valueOf(v));
                }
            });
            Severity severity = switch (m.severity()) {
                case INFO -> Severity.INFO;
                case WARN -> Severity.WARN;
                case ERROR -> Severity.ERROR;
            };
            out.add(new ChangeEvent(TelemetryNames.EVENT_LOG_SIGNATURE, severity, m.line(), b.build(), m.time()));
        }
        return out;
    }
}
