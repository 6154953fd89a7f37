package io.derpwatch.agent.events;

import static io.derpwatch.agent.telemetry.TelemetryNames.*;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.netcheck.NetcheckInstruments;
import io.derpwatch.agent.netcheck.NetcheckReport;
import io.derpwatch.agent.netcheck.NetcheckSnapshot;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.logs.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Netcheck's change events, between a report and the last one there was (a snapshot without a report is
 * skipped, not a change): the preferred region, UDP reachability, {@code MappingVariesByDestIP}.
 */
final class NetcheckChanges implements SnapshotDiff<NetcheckSnapshot> {
    private @Nullable NetcheckReport last;

    @Override
    public List<ChangeEvent> diff(@Nullable NetcheckSnapshot previous, NetcheckSnapshot current) {
        if (current.report().isEmpty()) {
            return List.of();
        }
        NetcheckReport report = current.report().get();
        NetcheckReport was = last;
        last = report;
        if (was == null) {
            return List.of();
        }
        DerpMap map = current.map();
        List<ChangeEvent> out = new ArrayList<>(1);
        if (was.preferredDerp() != report.preferredDerp()) {
            AttributesBuilder b = NetcheckInstruments.region(map, report.preferredDerp()).toBuilder()
                    .put(PREVIOUS_REGION_ID, (long) was.preferredDerp());
            map.region(was.preferredDerp())
                    .ifPresent(r -> b.put(PREVIOUS_REGION_CODE, r.code()).put(PREVIOUS_REGION_NAME, r.name()));
            out.add(new ChangeEvent(
                    EVENT_NETCHECK_PREFERRED_CHANGED,
                    Severity.INFO,
                    "netcheck preferred DERP region changed from " + name(map, was.preferredDerp()) + " to "
                            + name(map, report.preferredDerp()),
                    b.build()));
        }
        if (was.udp() != report.udp()) {
            out.add(new ChangeEvent(
                    EVENT_NETCHECK_UDP_CHANGED,
                    report.udp() ? Severity.INFO : Severity.WARN,
                    report.udp() ? "UDP to DERP regions works again" : "no UDP STUN reply from any DERP region",
                    Attributes.of(PREVIOUS, was.udp() ? 1L : 0L, CURRENT, report.udp() ? 1L : 0L)));
        }
        Optional<Boolean> before = was.mappingVariesByDestIp();
        Optional<Boolean> now = report.mappingVariesByDestIp();
        if (before.isPresent() && now.isPresent() && !before.equals(now)) {
            out.add(new ChangeEvent(
                    EVENT_NETCHECK_MAPPING_VARIES_CHANGED,
                    now.get() ? Severity.WARN : Severity.INFO,
                    now.get()
                            ? "NAT mapping now varies by destination IP (hard NAT): direct connections get harder"
                            : "NAT mapping no longer varies by destination IP",
                    Attributes.of(PREVIOUS, before.get() ? 1L : 0L, CURRENT, now.get() ? 1L : 0L)));
        }
        return out;
    }

    private static String name(DerpMap map, int id) {
        if (id == 0) {
            return "none";
        }
        return map.region(id)
                .map(r -> r.name() + " (" + r.code() + ", " + id + ")")
                .orElse(String.valueOf(id));
    }
}
