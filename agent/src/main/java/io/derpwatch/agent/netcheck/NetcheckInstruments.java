package io.derpwatch.agent.netcheck;

import static io.derpwatch.agent.telemetry.TelemetryNames.*;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpRegion;
import io.derpwatch.agent.netcheck.stun.StunRejection;
import io.derpwatch.agent.state.StateStore;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The netcheck metrics. Gauges read the latest {@link NetcheckSnapshot} from the state store at collection time,
 * so a region that leaves the map or stops answering disappears with the next report. The change events are
 * made elsewhere, from the same snapshots ({@code events.NetcheckChanges}).
 */
public final class NetcheckInstruments implements AutoCloseable {
    /** The latest report and the map it was measured against. */
    private record Snapshot(NetcheckReport report, DerpMap map) {}

    private final StateStore state;
    private final LongCounter rejected;
    private final LongCounter reports;
    private final Map<StunRejection, Attributes> rejectedAttributes = new EnumMap<>(StunRejection.class);
    private final List<AutoCloseable> registrations = new ArrayList<>();
    private volatile int mapRegions = -1;

    public NetcheckInstruments(Meter meter, StateStore state, boolean publicAddresses) {
        this.state = state;
        for (StunRejection r : StunRejection.values()) {
            rejectedAttributes.put(r, Attributes.of(REASON, r.reason()));
        }
        rejected = meter.counterBuilder(NETCHECK_STUN_REJECTED)
                .setUnit("{datagram}")
                .setDescription("Datagrams on netcheck sockets not accepted as STUN answers, by reason")
                .build();
        reports = meter.counterBuilder(NETCHECK_REPORTS)
                .setUnit("{report}")
                .setDescription("Netcheck reports run, by outcome (ok, no_region, error)")
                .build();
        registrations.add(meter.gaugeBuilder(NETCHECK_REGION_LATENCY)
                .setUnit("s")
                .setDescription("Best latency to each DERP region in the last netcheck report")
                .buildWithCallback(m -> {
                    Snapshot s = latest();
                    if (s == null) {
                        return;
                    }
                    for (RegionLatency l : s.report().latencies()) {
                        AttributesBuilder a = region(s.map(), l.regionId()).toBuilder()
                                .put(NETWORK_TYPE, l.family().networkType())
                                .put(NETCHECK_PROBE, l.probe().attribute());
                        m.record(l.latency().toNanos() / 1e9, a.build());
                    }
                }));
        flag(meter, NETCHECK_UDP, "1 when a UDP STUN round trip completed", r -> Optional.of(r.udp()));
        flag(meter, NETCHECK_IPV4, "1 when an IPv4 STUN round trip completed", r -> Optional.of(r.ipv4()));
        flag(meter, NETCHECK_IPV6, "1 when an IPv6 STUN round trip completed", r -> Optional.of(r.ipv6()));
        flag(
                meter,
                NETCHECK_IPV4_CAN_SEND,
                "1 when an IPv4 STUN packet could be sent",
                r -> Optional.of(r.ipv4CanSend()));
        flag(
                meter,
                NETCHECK_IPV6_CAN_SEND,
                "1 when an IPv6 STUN packet could be sent",
                r -> Optional.of(r.ipv6CanSend()));
        flag(meter, NETCHECK_OS_HAS_IPV6, "1 when the OS could bind a socket to ::1", r -> Optional.of(r.osHasIpv6()));
        flag(
                meter,
                NETCHECK_MAPPING_VARIES,
                "1 when the NAT mapping varies by destination IP (hard NAT); " + "no point when unknown",
                NetcheckReport::mappingVariesByDestIp);
        flag(
                meter,
                NETCHECK_CAPTIVE_PORTAL,
                "1 when a captive portal was detected; no point when not checked",
                NetcheckReport::captivePortal);
        registrations.add(meter.gaugeBuilder(NETCHECK_PREFERRED_DERP)
                .ofLongs()
                .setUnit("1")
                .setDescription("1 on the DERP region netcheck prefers")
                .buildWithCallback(m -> {
                    Snapshot s = latest();
                    if (s != null && s.report().preferredDerp() != 0) {
                        m.record(1, region(s.map(), s.report().preferredDerp()));
                    }
                }));
        registrations.add(meter.gaugeBuilder(NETCHECK_DURATION)
                .setUnit("s")
                .setDescription("How long the last netcheck report took")
                .buildWithCallback(m -> {
                    Snapshot s = latest();
                    if (s != null) {
                        m.record(s.report().duration().toNanos() / 1e9);
                    }
                }));
        registrations.add(meter.gaugeBuilder(NETCHECK_DERP_MAP_REGIONS)
                .ofLongs()
                .setUnit("{region}")
                .setDescription("Regions in the DERP map netcheck measures against")
                .buildWithCallback(m -> {
                    int n = mapRegions;
                    if (n >= 0) {
                        m.record(n);
                    }
                }));
        if (publicAddresses) {
            registrations.add(meter.gaugeBuilder(NETCHECK_GLOBAL_ADDRESS)
                    .ofLongs()
                    .setUnit("1")
                    .setDescription("The public address:port STUN saw (personal data; off by default)")
                    .buildWithCallback(m -> {
                        Snapshot s = latest();
                        if (s != null) {
                            address(m, s.report().globalV4(), AddressFamily.IPV4);
                            address(m, s.report().globalV6(), AddressFamily.IPV6);
                        }
                    }));
        }
    }

    private void flag(Meter meter, String name, String description, Function<NetcheckReport, Optional<Boolean>> value) {
        registrations.add(meter.gaugeBuilder(name)
                .ofLongs()
                .setUnit("1")
                .setDescription(description)
                .buildWithCallback(m -> {
                    Snapshot s = latest();
                    if (s != null) {
                        value.apply(s.report()).ifPresent(v -> m.record(v ? 1 : 0));
                    }
                }));
    }

    private static void address(ObservableLongMeasurement m, Optional<InetSocketAddress> a, AddressFamily f) {
        a.ifPresent(addr -> m.record(
                1, Attributes.of(NETWORK_TYPE, f.networkType(), NETCHECK_ADDRESS, NetcheckFormats.hostPort(addr))));
    }

    /** {@code tailscale.derp.region.id} and, when the map has it, its code and name. */
    public static Attributes region(DerpMap map, int id) {
        DerpRegion r = map.regions().get(id);
        AttributesBuilder b = Attributes.builder().put(REGION_ID, (long) id);
        if (r != null) {
            b.put(REGION_CODE, r.code()).put(REGION_NAME, r.name());
        }
        return b.build();
    }

    /** Counts one rejected datagram. */
    public void rejected(StunRejection reason) {
        rejected.add(1, rejectedAttributes.get(reason));
    }

    /** Notes the size of the DERP map in use. */
    void mapLoaded(DerpMap map) {
        mapRegions = map.regions().size();
    }

    /** Counts one report by outcome ({@code ok} or {@code no_region}). */
    void reported(NetcheckReport report) {
        reports.add(1, Attributes.of(OUTCOME, report.anyRegionAnswered() ? "ok" : "no_region"));
    }

    private @Nullable Snapshot latest() {
        return state.latest(NetcheckSnapshot.TOPIC)
                .flatMap(s -> s.report().map(r -> new Snapshot(r, s.map())))
                .orElse(null);
    }

    /** Counts a report that could not run. */
    void failed() {
        reports.add(1, Attributes.of(OUTCOME, "error"));
    }

    /** Unregisters the observable instruments. */
    @Override
    public void close() {
        for (AutoCloseable c : registrations) {
            try {
                c.close();
            } catch (Exception ignored) {
                // an SDK instrument's close does not fail
            }
        }
    }
}
