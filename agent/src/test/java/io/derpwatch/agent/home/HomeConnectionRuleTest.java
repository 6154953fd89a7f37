package io.derpwatch.agent.home;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpMapCodec;
import io.derpwatch.agent.localapi.LocalApiException;
import io.derpwatch.agent.localapi.NodeStatus;
import io.derpwatch.agent.localapi.StatusCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The home-connection rule over every real status document in the fixtures, and over variants of the running
 * ones carrying each of tailscaled's DERP-home warning texts (1.70+ and pre-1.70 wording), and other warnings.
 */
class HomeConnectionRuleTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final StatusCodec CODEC = new StatusCodec();
    private static final Path SOCKET = Path.of("/run/test.sock");

    /** What each fixture shows; a new fixture without a line here fails {@link #everyStatusFixture_isCovered}. */
    private static final Map<String, Expected> FIXTURES = Map.of(
            "status-02.json", new Expected(1, HomeReason.CONNECTED, "sin", "Singapore", "1.98.4"),
            "status-04.json", new Expected(1, HomeReason.CONNECTED, "tok", "Tokyo", "1.102.4"),
            "status-05.json", new Expected(0, HomeReason.NOT_RUNNING, "nue", "Nuremberg", "1.94.2 NeedsLogin"),
            "status-06.json", new Expected(1, HomeReason.CONNECTED, "sea", "Seattle", "1.76.1"));

    private record Expected(int value, HomeReason reason, String code, String regionName, String label) {}

    /** A DERP-home warning text as a given tailscaled era words it, and the reason it gives. */
    private record Warning(String label, String text, HomeReason reason) {}

    static List<Warning> warningsFor(String regionName, String regionId) {
        String tail1 = ". Your Internet connection might be down, or the server might be temporarily unavailable.";
        String tail2 = ". The server might be temporarily unavailable, or your Internet connection might be down.";
        return List.of(
                new Warning(
                        "1.70+ no-derp-home",
                        "Tailscale could not connect to any relay server. Check your Internet connection.",
                        HomeReason.NO_DERP_HOME),
                new Warning(
                        "1.70+ no-derp-connection by name",
                        "Tailscale could not connect to the '" + regionName + "' relay server" + tail1,
                        HomeReason.DERP_UNREACHABLE),
                new Warning(
                        "1.70+ no-derp-connection by id",
                        "Tailscale could not connect to the relay server with ID '" + regionId + "'" + tail1,
                        HomeReason.DERP_UNREACHABLE),
                new Warning(
                        "1.70+ derp-timed-out by name",
                        "Tailscale hasn't heard from the '" + regionName + "' relay server in 2m10s" + tail2,
                        HomeReason.DERP_TIMED_OUT),
                new Warning(
                        "1.70+ derp-timed-out by id",
                        "Tailscale hasn't heard from the home relay server (region ID '" + regionId + "') in 2m10s"
                                + tail2,
                        HomeReason.DERP_TIMED_OUT),
                new Warning("pre-1.70 no DERP home", "no DERP home", HomeReason.NO_DERP_HOME),
                new Warning(
                        "pre-1.70 not connected",
                        "not connected to home DERP region " + regionId,
                        HomeReason.DERP_UNREACHABLE),
                new Warning(
                        "pre-1.70 haven't heard",
                        "haven't heard from home DERP region " + regionId + " in 2m10s",
                        HomeReason.DERP_TIMED_OUT));
    }

    static final List<String> OTHER_WARNINGS = List.of(
            "Unable to connect to the Tailscale coordination server to synchronize the state of your tailnet."
                    + " Peer reachability might degrade over time.",
            "The relay server #3 is reporting an issue: overloaded",
            "Tailscale couldn't listen for incoming UDP connections.",
            "Tailscale is starting. Please wait.",
            "An update from version 1.98.4 to 1.102.4 is available.",
            "not in map poll",
            "derp3: overloaded",
            "no udp4 bind");

    static Stream<Arguments> everyFixture() {
        return StatusFixtures.statusFiles().stream()
                .filter(p -> FIXTURES.containsKey(name(p)))
                .map(p -> {
                    Expected e = FIXTURES.get(name(p));
                    return arguments(name(p), e.label(), e.value(), e.reason(), e.code());
                });
    }

    @ParameterizedTest(name = "{0} ({1}) -> {2} {3}, home region {4}")
    @MethodSource("everyFixture")
    void fixture_givesItsHomeConnection(String file, String label, int value, HomeReason reason, String code)
            throws LocalApiException {
        HomeConnection c = HomeConnectionRule.evaluate(parse(StatusFixtures.read(file)), Optional.empty());

        assertThat(c.value()).isEqualTo(value);
        assertThat(c.reason()).isEqualTo(reason);
        assertThat(c.region()).contains(HomeRegion.codeOnly(code));
        assertThat(c.warning()).isEmpty();
    }

    @Test
    void everyStatusFixture_isCovered() {
        assertThat(StatusFixtures.statusFiles())
                .isNotEmpty()
                .allSatisfy(p -> assertThat(FIXTURES).as("expectation for " + p).containsKey(name(p)));
    }

    static Stream<Arguments> runningFixtureWithEachDerpHomeWarning() {
        List<Arguments> out = new ArrayList<>();
        for (Path p : StatusFixtures.statusFiles()) {
            Expected e = FIXTURES.get(name(p));
            if (e == null || e.value() != 1) {
                continue;
            }
            for (Warning w : warningsFor(e.regionName(), "9" + e.code().length())) {
                out.add(arguments(name(p), w.label(), w.text(), w.reason(), e.code()));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} + {1} -> 0 {3}")
    @MethodSource("runningFixtureWithEachDerpHomeWarning")
    void derpHomeWarning_dropsTheConnection(String file, String label, String text, HomeReason reason, String code)
            throws LocalApiException {
        HomeConnection c = HomeConnectionRule.evaluate(withHealth(file, text), Optional.empty());

        assertThat(c.value()).isZero();
        assertThat(c.reason()).isEqualTo(reason);
        assertThat(c.warning()).contains(text);
        assertThat(c.region()).contains(HomeRegion.codeOnly(code));
    }

    static Stream<Arguments> runningFixtureWithOtherWarning() {
        List<Arguments> out = new ArrayList<>();
        for (Path p : StatusFixtures.statusFiles()) {
            Expected e = FIXTURES.get(name(p));
            if (e != null && e.value() == 1) {
                OTHER_WARNINGS.forEach(w -> out.add(arguments(name(p), w)));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} + other warning \"{1}\" -> still 1")
    @MethodSource("runningFixtureWithOtherWarning")
    void otherWarning_leavesTheConnectionAlone(String file, String text) throws LocalApiException {
        HomeConnection c = HomeConnectionRule.evaluate(withHealth(file, text), Optional.empty());

        assertThat(c.value()).isEqualTo(1);
        assertThat(c.reason()).isEqualTo(HomeReason.CONNECTED);
    }

    @Test
    void regionNameWithQuote_stillMatches() throws LocalApiException {
        String text = "Tailscale could not connect to the 'Bob's basement' relay server. Your Internet connection"
                + " might be down, or the server might be temporarily unavailable.";

        assertThat(HomeConnectionRule.evaluate(withHealth("status-02.json", text), Optional.empty())
                        .reason())
                .isEqualTo(HomeReason.DERP_UNREACHABLE);
    }

    @Test
    void severalWarnings_noHomeBeatsUnreachableBeatsTimedOut() throws LocalApiException {
        List<Warning> w = warningsFor("Singapore", "3");
        NodeStatus timedOutAndHome =
                withHealth("status-02.json", w.get(3).text(), w.get(0).text());
        NodeStatus timedOutAndUnreachable =
                withHealth("status-02.json", w.get(4).text(), w.get(1).text());

        assertThat(HomeConnectionRule.evaluate(timedOutAndHome, Optional.empty())
                        .reason())
                .isEqualTo(HomeReason.NO_DERP_HOME);
        assertThat(HomeConnectionRule.evaluate(timedOutAndUnreachable, Optional.empty())
                        .reason())
                .isEqualTo(HomeReason.DERP_UNREACHABLE);
    }

    @Test
    void notRunning_beatsWarnings() throws LocalApiException {
        ObjectNode doc = doc("status-02.json");
        doc.put("BackendState", "Stopped");
        doc.putArray("Health").add("no DERP home");

        HomeConnection c = HomeConnectionRule.evaluate(parse(doc), Optional.empty());

        assertThat(c.reason()).isEqualTo(HomeReason.NOT_RUNNING);
        assertThat(c.warning()).isEmpty();
    }

    @Test
    void missingSelf_isZeroNoSelfWithoutRegion() throws LocalApiException {
        ObjectNode doc = doc("status-04.json");
        doc.remove("Self");

        HomeConnection c = HomeConnectionRule.evaluate(parse(doc), Optional.empty());

        assertThat(c).isEqualTo(new HomeConnection(0, HomeReason.NO_SELF, Optional.empty(), Optional.empty()));
    }

    @Test
    void emptyRelay_isZeroNoHomeRegion() throws LocalApiException {
        ObjectNode doc = doc("status-06.json");
        ((ObjectNode) doc.get("Self")).put("Relay", "");

        HomeConnection c = HomeConnectionRule.evaluate(parse(doc), Optional.empty());

        assertThat(c).isEqualTo(new HomeConnection(0, HomeReason.NO_HOME_REGION, Optional.empty(), Optional.empty()));
    }

    @Test
    void derpMap_namesTheHomeRegion() throws Exception {
        DerpMap map = new DerpMapCodec().parse(StatusFixtures.read("derpmap-default-01.json"));
        ObjectNode doc = doc("status-02.json");
        ((ObjectNode) doc.get("Self")).put("Relay", "r3");

        HomeConnection c = HomeConnectionRule.evaluate(parse(doc), Optional.of(map));

        assertThat(c.region()).contains(new HomeRegion("r3", OptionalInt.of(3), Optional.of("r3")));
    }

    @Test
    void derpMapWithoutTheCode_leavesTheCodeAlone() throws Exception {
        DerpMap map = new DerpMapCodec().parse(StatusFixtures.read("derpmap-default-01.json"));

        HomeConnection c = HomeConnectionRule.evaluate(parse(StatusFixtures.read("status-02.json")), Optional.of(map));

        assertThat(c.region()).contains(HomeRegion.codeOnly("sin"));
    }

    @Test
    void localApiFailure_isZeroWithTheLastKnownRegion() {
        Optional<HomeRegion> sin = Optional.of(HomeRegion.codeOnly("sin"));

        HomeConnection unreachable = HomeConnectionRule.failed(
                new LocalApiException(LocalApiException.Kind.SOCKET_MISSING, SOCKET, "gone"), sin);
        HomeConnection garbage = HomeConnectionRule.failed(
                new LocalApiException(LocalApiException.Kind.MALFORMED_JSON, SOCKET, "bad"), Optional.empty());

        assertThat(unreachable)
                .isEqualTo(new HomeConnection(0, HomeReason.LOCALAPI_UNREACHABLE, sin, Optional.empty()));
        assertThat(garbage.reason()).isEqualTo(HomeReason.LOCALAPI_ERROR);
        assertThat(garbage.region()).isEmpty();
    }

    private static String name(Path p) {
        return p.getFileName().toString();
    }

    private static ObjectNode doc(String file) {
        try {
            return (ObjectNode) MAPPER.readTree(StatusFixtures.read(file));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static NodeStatus withHealth(String file, String... warnings) throws LocalApiException {
        ObjectNode doc = doc(file);
        ArrayNode health = doc.putArray("Health");
        for (String w : warnings) {
            health.add(w);
        }
        return parse(doc);
    }

    private static NodeStatus parse(ObjectNode doc) throws LocalApiException {
        try {
            return parse(MAPPER.writeValueAsBytes(doc));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static NodeStatus parse(byte[] json) throws LocalApiException {
        return CODEC.parse(json, SOCKET);
    }
}
