package io.derpwatch.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpRegion;
import io.derpwatch.agent.netcheck.AddressFamily;
import io.derpwatch.agent.netcheck.NetcheckReport;
import io.derpwatch.agent.netcheck.PreferredRegionSelector;
import io.derpwatch.agent.netcheck.ProbeKind;
import io.derpwatch.agent.netcheck.RegionLatency;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NetcheckFormatsTest {
    private static final Pattern LINE = Pattern.compile("^\\s*- (\\w+): (\\S*)\\s+\\((.*)\\)$");
    private static final Instant NOW = Instant.parse("2025-03-08T10:02:09.839815353Z");

    /** A region line of a real {@code tailscale netcheck} output: code, latency text ("" when none), name. */
    private record FixtureLine(String code, String latency, String name, String raw) {}

    @ParameterizedTest
    @ValueSource(strings = {"netcheck-02.txt", "netcheck-03.txt", "netcheck-04.txt"})
    void text_latencyList_matchesTailscaleLayout(String fixture) throws Exception {
        List<String> lines = Files.readAllLines(io.derpwatch.agent.netcheck.NetcheckTestSupport.fixtures()
                .resolve("tailscale")
                .resolve(fixture));
        List<FixtureLine> expected = new ArrayList<>();
        String nearest = null;
        for (String l : lines) {
            Matcher m = LINE.matcher(l);
            if (m.matches()) {
                expected.add(new FixtureLine(m.group(1), m.group(2), m.group(3), l.strip()));
            } else if (l.strip().startsWith("* Nearest DERP: ")) {
                nearest = l.strip();
            }
        }
        TreeMap<Integer, DerpRegion> regions = new TreeMap<>();
        List<RegionLatency> latencies = new ArrayList<>();
        int id = 1;
        for (FixtureLine f : expected) {
            regions.put(id, new DerpRegion(id, f.code(), f.name(), false, false, List.of()));
            if (!f.latency().isEmpty()) {
                // a few tens of microseconds of noise that tailscale's 100 µs rounding removes again
                long nanos = Math.round(Double.parseDouble(f.latency().replace("ms", "")) * 1e6) + 31_000;
                latencies.add(new RegionLatency(id, AddressFamily.IPV4, ProbeKind.STUN, Duration.ofNanos(nanos)));
            }
            id++;
        }
        DerpMap map = new DerpMap(regions, Map.of(), false);
        NetcheckReport report = new PreferredRegionSelector(Duration.ofMinutes(5)).select(report(latencies), map, NOW);

        String text = NetcheckFormats.text(report, map, false, false);

        List<String> got =
                text.lines().map(String::strip).filter(l -> l.startsWith("- ")).toList();
        assertThat(got)
                .containsExactlyElementsOf(
                        expected.stream().map(FixtureLine::raw).toList());
        assertThat(text.lines().map(String::strip)).contains(nearest);
    }

    @Test
    void text_headerLines_followTailscale() {
        DerpMap map = new DerpMap(
                new TreeMap<>(Map.of(1, new DerpRegion(1, "nyc", "New York City", false, false, List.of()))),
                Map.of(),
                false);
        NetcheckReport r = report(
                        List.of(new RegionLatency(1, AddressFamily.IPV4, ProbeKind.STUN, Duration.ofMillis(12))))
                .withPreferredDerp(1);

        String hidden = NetcheckFormats.text(r, map, false, false);
        String shown = NetcheckFormats.text(r, map, true, true);

        assertThat(hidden).startsWith("\nReport:\n\t* Time: 2025-03-08T10:02:09.839815353Z\n\t* UDP: true\n");
        assertThat(hidden)
                .contains("\t* IPv4: yes (address hidden")
                .contains("\t* IPv6: no, but OS has support\n")
                .contains("\t* MappingVariesByDestIP: false\n")
                .contains("\t* Nearest DERP: New York City\n")
                .contains("\t\t- nyc: 12ms    (New York City)\n")
                .doesNotContain("198.51.100.7");
        assertThat(shown)
                .contains("\t* IPv4: yes, 198.51.100.7:41641\n")
                .contains("\t\t- nyc: 12ms    (derp1, New York City)\n");
    }

    @Test
    void json_hasTheFieldsOfNetcheckReport_inGoOrder() throws Exception {
        NetcheckReport r = report(List.of(
                        new RegionLatency(2, AddressFamily.IPV4, ProbeKind.STUN, Duration.ofNanos(12_600_123)),
                        new RegionLatency(10, AddressFamily.IPV4, ProbeKind.STUN, Duration.ofNanos(35_000_000)),
                        new RegionLatency(10, AddressFamily.IPV6, ProbeKind.STUN, Duration.ofNanos(31_000_000))))
                .withPreferredDerp(2);

        String json = NetcheckFormats.json(r, false);
        JsonNode n = new ObjectMapper().readTree(json);

        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        assertThat(names)
                .containsExactly(
                        "Now",
                        "UDP",
                        "IPv6",
                        "IPv4",
                        "IPv6CanSend",
                        "IPv4CanSend",
                        "OSHasIPv6",
                        "ICMPv4",
                        "MappingVariesByDestIP",
                        "UPnP",
                        "PMP",
                        "PCP",
                        "PreferredDERP",
                        "RegionLatency",
                        "RegionV4Latency",
                        "RegionV6Latency",
                        "GlobalV4Counters",
                        "GlobalV6Counters",
                        "GlobalV4",
                        "GlobalV6",
                        "CaptivePortal");
        assertThat(n.get("GlobalV4Counters").isNull()).isTrue();
        assertThat(n.get("Now").asText()).isEqualTo("2025-03-08T10:02:09.839815353Z");
        assertThat(n.get("UDP").asBoolean()).isTrue();
        assertThat(n.get("PreferredDERP").asInt()).isEqualTo(2);
        assertThat(n.get("MappingVariesByDestIP").asBoolean()).isFalse();
        assertThat(n.get("CaptivePortal").isNull()).isTrue();
        assertThat(n.get("RegionLatency").get("2").isIntegralNumber()).isTrue();
        assertThat(n.get("RegionLatency").get("2").asLong()).isEqualTo(12_600_123L);
        assertThat(n.get("RegionLatency").get("10").asLong()).isEqualTo(31_000_000L);
        assertThat(n.get("RegionV4Latency").get("10").asLong()).isEqualTo(35_000_000L);
        assertThat(n.get("RegionV6Latency").size()).isEqualTo(1);
        assertThat(n.get("GlobalV4").asText()).isEmpty();
        assertThat(json)
                .startsWith("{\n\t\"Now\": \"2025-03-08T10:02:09.839815353Z\",\n")
                .contains("\t\"RegionLatency\": {\n\t\t\"10\": 31000000,\n\t\t\"2\": 12600123\n\t},");
    }

    @Test
    void json_publicAddresses_onlyWhenEnabled() throws Exception {
        NetcheckReport base = report(List.of());
        NetcheckReport r = new NetcheckReport(
                base.now(),
                base.duration(),
                false,
                false,
                false,
                true,
                false,
                true,
                Optional.empty(),
                0,
                List.of(),
                base.globalV4(),
                base.globalV6(),
                Optional.empty(),
                List.of(),
                Map.of(new InetSocketAddress("198.51.100.7", 41641), 3, new InetSocketAddress("198.51.100.7", 5), 1),
                Map.of());
        JsonNode n = new ObjectMapper().readTree(NetcheckFormats.json(r, true));
        assertThat(n.get("GlobalV4Counters").get("198.51.100.7:41641").asInt()).isEqualTo(3);
        assertThat(n.get("GlobalV4Counters").get("198.51.100.7:5").asInt()).isEqualTo(1);
        assertThat(n.get("GlobalV6Counters").isNull()).isTrue();
        assertThat(new ObjectMapper()
                        .readTree(NetcheckFormats.json(r, false))
                        .get("GlobalV4Counters")
                        .isNull())
                .isTrue();
        assertThat(n.get("GlobalV4").asText()).isEqualTo("198.51.100.7:41641");
        assertThat(n.get("GlobalV6").asText()).isEqualTo("[2001:db8::7]:41642");
        assertThat(n.get("RegionLatency").size()).isZero();
    }

    @Test
    void json_isGoMarshalIndentWithATab_byteForByte() {
        NetcheckReport r = new NetcheckReport(
                NOW,
                Duration.ofMillis(400),
                true,
                true,
                true,
                true,
                true,
                true,
                Optional.empty(),
                2,
                List.of(
                        new RegionLatency(2, AddressFamily.IPV4, ProbeKind.STUN, Duration.ofNanos(12_600_123)),
                        new RegionLatency(10, AddressFamily.IPV6, ProbeKind.STUN, Duration.ofNanos(31_000_000))),
                Optional.of(new InetSocketAddress("198.51.100.7", 41641)),
                Optional.of(new InetSocketAddress("2001:db8::7", 41642)),
                Optional.of(true),
                List.of(),
                Map.of(new InetSocketAddress("198.51.100.7", 41641), 3, new InetSocketAddress("198.51.100.7", 5), 1),
                Map.of());

        assertThat(NetcheckFormats.json(r, true))
                .isEqualTo(String.join(
                        "\n",
                        "{",
                        "\t\"Now\": \"2025-03-08T10:02:09.839815353Z\",",
                        "\t\"UDP\": true,",
                        "\t\"IPv6\": true,",
                        "\t\"IPv4\": true,",
                        "\t\"IPv6CanSend\": true,",
                        "\t\"IPv4CanSend\": true,",
                        "\t\"OSHasIPv6\": true,",
                        "\t\"ICMPv4\": false,",
                        "\t\"MappingVariesByDestIP\": null,",
                        "\t\"UPnP\": null,",
                        "\t\"PMP\": null,",
                        "\t\"PCP\": null,",
                        "\t\"PreferredDERP\": 2,",
                        "\t\"RegionLatency\": {",
                        "\t\t\"10\": 31000000,",
                        "\t\t\"2\": 12600123",
                        "\t},",
                        "\t\"RegionV4Latency\": {",
                        "\t\t\"2\": 12600123",
                        "\t},",
                        "\t\"RegionV6Latency\": {",
                        "\t\t\"10\": 31000000",
                        "\t},",
                        "\t\"GlobalV4Counters\": {",
                        "\t\t\"198.51.100.7:41641\": 3,",
                        "\t\t\"198.51.100.7:5\": 1",
                        "\t},",
                        "\t\"GlobalV6Counters\": null,",
                        "\t\"GlobalV4\": \"198.51.100.7:41641\",",
                        "\t\"GlobalV6\": \"[2001:db8::7]:41642\",",
                        "\t\"CaptivePortal\": true",
                        "}"));
    }

    @Test
    void json_emptyLatencies_areAnEmptyObject_likeGo() {
        String json = NetcheckFormats.json(report(List.of()), false);

        assertThat(json).contains("\t\"RegionLatency\": {},\n").contains("\t\"GlobalV4Counters\": null,\n");
    }

    private static NetcheckReport report(List<RegionLatency> latencies) {
        boolean any = !latencies.isEmpty();
        boolean v6 = latencies.stream().anyMatch(l -> l.family() == AddressFamily.IPV6);
        return new NetcheckReport(
                NOW,
                Duration.ofMillis(400),
                any,
                any,
                v6,
                true,
                v6,
                true,
                any ? Optional.of(false) : Optional.empty(),
                0,
                latencies,
                Optional.of(new InetSocketAddress("198.51.100.7", 41641)),
                Optional.of(new InetSocketAddress("2001:db8::7", 41642)),
                Optional.empty(),
                List.of());
    }
}
