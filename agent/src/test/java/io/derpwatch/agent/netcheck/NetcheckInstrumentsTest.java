package io.derpwatch.agent.netcheck;

import static io.derpwatch.agent.telemetry.TelemetryNames.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpRegion;
import io.derpwatch.agent.netcheck.stun.StunRejection;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.PointData;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The netcheck gauges read from the state store, and the change events made from its snapshots. */
class NetcheckInstrumentsTest {
    private final TelemetryHarness otel = new TelemetryHarness();
    private final DerpMap map = new DerpMap(
            new TreeMap<>(Map.of(
                    1, new DerpRegion(1, "nyc", "New York City", false, false, List.of()),
                    2, new DerpRegion(2, "sfo", "San Francisco", false, false, List.of()))),
            Map.of(),
            false);

    @AfterEach
    void close() {
        otel.close();
    }

    @Test
    void report_isExportedAsGauges_withRegionAttributes() {
        Instruments instruments = instruments(false);

        instruments.publish(
                report(
                        Optional.of(false),
                        1,
                        latency(1, AddressFamily.IPV4, 12),
                        latency(1, AddressFamily.IPV6, 14),
                        new RegionLatency(2, AddressFamily.IPV4, ProbeKind.HTTPS, Duration.ofMillis(70))),
                map);
        Map<String, List<PointData>> m = otel.collect();

        List<PointData> latency = m.get(NETCHECK_REGION_LATENCY);
        assertThat(latency).hasSize(3);
        PointData nycV6 = latency.stream()
                .filter(p -> "ipv6".equals(p.getAttributes().get(NETWORK_TYPE)))
                .findFirst()
                .orElseThrow();
        assertThat(((DoublePointData) nycV6).getValue()).isEqualTo(0.014);
        assertThat(nycV6.getAttributes().get(REGION_ID)).isEqualTo(1L);
        assertThat(nycV6.getAttributes().get(REGION_CODE)).isEqualTo("nyc");
        assertThat(nycV6.getAttributes().get(REGION_NAME)).isEqualTo("New York City");
        assertThat(nycV6.getAttributes().get(NETCHECK_PROBE)).isEqualTo("stun");
        assertThat(TelemetryHarness.where(latency, REGION_CODE, "sfo"))
                .singleElement()
                .satisfies(
                        p -> assertThat(p.getAttributes().get(NETCHECK_PROBE)).isEqualTo("https"));
        assertThat(value(m, NETCHECK_UDP)).isEqualTo(1);
        assertThat(value(m, NETCHECK_IPV4)).isEqualTo(1);
        assertThat(value(m, NETCHECK_IPV6)).isEqualTo(1);
        assertThat(value(m, NETCHECK_OS_HAS_IPV6)).isEqualTo(1);
        assertThat(value(m, NETCHECK_MAPPING_VARIES)).isZero();
        assertThat(m).doesNotContainKey(NETCHECK_CAPTIVE_PORTAL);
        assertThat(m.get(NETCHECK_PREFERRED_DERP))
                .singleElement()
                .satisfies(p -> assertThat(p.getAttributes().get(REGION_CODE)).isEqualTo("nyc"));
        assertThat(((DoublePointData) m.get(NETCHECK_DURATION).get(0)).getValue())
                .isEqualTo(0.4);
        assertThat(m).doesNotContainKey(NETCHECK_GLOBAL_ADDRESS);
    }

    @Test
    void regionThatStopsAnswering_vanishesFromTheGauges() {
        Instruments instruments = instruments(false);
        instruments.publish(
                report(Optional.of(false), 1, latency(1, AddressFamily.IPV4, 12), latency(2, AddressFamily.IPV4, 60)),
                map);
        assertThat(otel.collect().get(NETCHECK_REGION_LATENCY)).hasSize(2);

        instruments.publish(report(Optional.empty(), 1, latency(1, AddressFamily.IPV4, 13)), map);
        Map<String, List<PointData>> m = otel.collect();

        assertThat(m.get(NETCHECK_REGION_LATENCY))
                .singleElement()
                .satisfies(p -> assertThat(p.getAttributes().get(REGION_ID)).isEqualTo(1L));
        assertThat(m).doesNotContainKey(NETCHECK_MAPPING_VARIES); // unknown: no point at all

        instruments.clear();
        assertThat(otel.collect()).doesNotContainKeys(NETCHECK_REGION_LATENCY, NETCHECK_UDP);
    }

    @Test
    void changes_becomeEvents() {
        Instruments instruments = instruments(false);
        instruments.publish(report(Optional.of(false), 1, latency(1, AddressFamily.IPV4, 12)), map);
        assertThat(otel.eventNames()).isEmpty();

        instruments.publish(report(Optional.of(true), 2, latency(2, AddressFamily.IPV4, 12)), map);
        instruments.publish(report(Optional.of(true), 0), map);

        assertThat(otel.eventNames())
                .containsExactly(
                        EVENT_NETCHECK_PREFERRED_CHANGED,
                        EVENT_NETCHECK_MAPPING_VARIES_CHANGED,
                        EVENT_NETCHECK_PREFERRED_CHANGED,
                        EVENT_NETCHECK_UDP_CHANGED);
        var preferred = otel.logs.getFinishedLogRecordItems().get(0);
        assertThat(preferred.getAttributes().get(PREVIOUS_REGION_ID)).isEqualTo(1L);
        assertThat(preferred.getAttributes().get(PREVIOUS_REGION_CODE)).isEqualTo("nyc");
        assertThat(preferred.getAttributes().get(REGION_ID)).isEqualTo(2L);
        assertThat(preferred.getAttributes().get(REGION_CODE)).isEqualTo("sfo");
        assertThat(preferred.getBodyValue().asString())
                .contains("New York City")
                .contains("San Francisco");
    }

    @Test
    void rejectedDatagrams_areCountedByReason() {
        Instruments instruments = instruments(false);
        instruments.rejected(StunRejection.BAD_COOKIE);
        instruments.rejected(StunRejection.BAD_COOKIE);
        instruments.rejected(StunRejection.WRONG_SOURCE);

        List<PointData> points = otel.collect().get(NETCHECK_STUN_REJECTED);

        assertThat(((LongPointData) TelemetryHarness.where(points, REASON, "bad_cookie")
                                .get(0))
                        .getValue())
                .isEqualTo(2);
        assertThat(((LongPointData) TelemetryHarness.where(points, REASON, "wrong_source")
                                .get(0))
                        .getValue())
                .isEqualTo(1);
    }

    @Test
    void publicAddresses_areExported_onlyWhenEnabled() {
        Instruments instruments = instruments(true);
        instruments.publish(report(Optional.empty(), 1, latency(1, AddressFamily.IPV4, 12)), map);

        assertThat(otel.collect().get(NETCHECK_GLOBAL_ADDRESS))
                .singleElement()
                .satisfies(
                        p -> assertThat(p.getAttributes().get(NETCHECK_ADDRESS)).isEqualTo("198.51.100.7:41641"));
    }

    /** The instruments over the harness's state store, and how a source feeds them. */
    private Instruments instruments(boolean publicAddresses) {
        return new Instruments(new NetcheckInstruments(otel.telemetry.meter(), otel.state, publicAddresses));
    }

    private final class Instruments {
        private final NetcheckInstruments real;

        Instruments(NetcheckInstruments real) {
            this.real = real;
        }

        void publish(NetcheckReport report, DerpMap map) {
            real.reported(report);
            otel.state.publish(NetcheckSnapshot.TOPIC, NetcheckSnapshot.of(report, map));
        }

        void clear() {
            otel.state.publish(NetcheckSnapshot.TOPIC, NetcheckSnapshot.none(map));
        }

        void rejected(StunRejection reason) {
            real.rejected(reason);
        }
    }

    private static long value(Map<String, List<PointData>> m, String name) {
        return ((LongPointData) m.get(name).get(0)).getValue();
    }

    private static RegionLatency latency(int id, AddressFamily f, long ms) {
        return new RegionLatency(id, f, ProbeKind.STUN, Duration.ofMillis(ms));
    }

    private static NetcheckReport report(Optional<Boolean> varies, int preferred, RegionLatency... l) {
        boolean any = l.length > 0;
        boolean v6 = List.of(l).stream().anyMatch(x -> x.family() == AddressFamily.IPV6);
        return new NetcheckReport(
                Instant.now(),
                Duration.ofMillis(400),
                any,
                any,
                v6,
                true,
                v6,
                true,
                varies,
                preferred,
                List.of(l),
                any ? Optional.of(new InetSocketAddress("198.51.100.7", 41641)) : Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of(1, 2));
    }
}
