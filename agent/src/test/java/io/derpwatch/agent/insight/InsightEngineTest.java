package io.derpwatch.agent.insight;

import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpRegion;
import io.derpwatch.agent.insight.InsightInputs.DerpMapView;
import io.derpwatch.agent.insight.InsightInputs.Home;
import io.derpwatch.agent.insight.InsightInputs.Netcheck;
import io.derpwatch.agent.insight.InsightInputs.Node;
import io.derpwatch.agent.insight.InsightTransition.State;
import io.derpwatch.agent.peers.PeerCounts;
import io.derpwatch.agent.peers.PeerPath;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Every rule started and cleared on virtual time (the inputs' own instants). */
class InsightEngineTest {
    private static final Instant T0 = Instant.parse("2026-12-01T12:00:00Z");
    private final InsightEngine engine = InsightEngine.standard(InsightSettings.DEFAULTS);

    private static InsightInputs inputs(
            Duration at,
            Optional<Home> home,
            Optional<Netcheck> netcheck,
            Optional<PeerCounts> peers,
            Optional<DerpMapView> map,
            Optional<Node> node) {
        return new InsightInputs(T0.plus(at), home, netcheck, peers, map, node);
    }

    private static InsightInputs only(Duration at, Object part) {
        return inputs(
                at,
                part instanceof Home h ? Optional.of(h) : Optional.empty(),
                part instanceof Netcheck n ? Optional.of(n) : Optional.empty(),
                part instanceof PeerCounts p ? Optional.of(p) : Optional.empty(),
                part instanceof DerpMapView m ? Optional.of(m) : Optional.empty(),
                part instanceof Node n ? Optional.of(n) : Optional.empty());
    }

    private static PeerCounts peers(int direct, int derp, int idle) {
        return new PeerCounts(
                Map.of(PeerPath.DIRECT, direct, PeerPath.DERP, derp, PeerPath.IDLE, idle), direct + derp, List.of(), 0);
    }

    private static Home running(String region, int changes) {
        return new Home("Running", region, changes, Optional.empty());
    }

    private static DerpMapView map(boolean omitDefaults, int... ids) {
        TreeMap<Integer, DerpRegion> regions = new TreeMap<>();
        for (int id : ids) {
            regions.put(id, new DerpRegion(id, "r" + id, "Region " + id, false, false, List.of()));
        }
        return new DerpMapView(new DerpMap(regions, Map.of(), omitDefaults), Optional.empty());
    }

    private List<InsightTransition> eval(InsightInputs in) {
        return engine.evaluate(in);
    }

    private static InsightTransition one(List<InsightTransition> ts, String id, State state) {
        assertThat(ts).filteredOn(t -> t.id().equals(id)).as(id + " " + state).singleElement();
        InsightTransition t =
                ts.stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
        assertThat(t.state()).isEqualTo(state);
        return t;
    }

    @Test
    void forcedDerp_startsAfterItsHoldTime_withEvidence_andClearsWhenPathsGoDirect() {
        assertThat(eval(inputs(
                        Duration.ZERO,
                        Optional.empty(),
                        Optional.of(new Netcheck(true, Optional.of(true))),
                        Optional.of(peers(1, 3, 5)),
                        Optional.empty(),
                        Optional.empty())))
                .noneMatch(t -> t.id().equals(InsightRules.FORCED_DERP));

        InsightTransition started = one(
                eval(inputs(
                        Duration.ofMinutes(5),
                        Optional.empty(),
                        Optional.of(new Netcheck(true, Optional.of(true))),
                        Optional.of(peers(1, 3, 5)),
                        Optional.empty(),
                        Optional.empty())),
                InsightRules.FORCED_DERP,
                State.ACTIVE);
        assertThat(started.evidence())
                .containsEntry("peers.derp", 3L)
                .containsEntry("peers.active", 4L)
                .containsEntry("relayed_share", 0.75)
                .containsEntry("netcheck.udp", true)
                .containsEntry("nat", "hard");
        assertThat(started.message()).startsWith("75% of active peers").contains("Allow outbound UDP");
        assertThat(engine.active()).contains(InsightRules.FORCED_DERP);

        one(eval(only(Duration.ofMinutes(6), peers(4, 0, 5))), InsightRules.FORCED_DERP, State.CLEARED);
        assertThat(engine.active()).doesNotContain(InsightRules.FORCED_DERP);
    }

    @Test
    void forcedDerp_aBlipShorterThanTheHoldTime_saysNothing() {
        eval(only(Duration.ZERO, peers(0, 4, 0)));
        eval(only(Duration.ofMinutes(2), peers(4, 0, 0)));
        assertThat(eval(only(Duration.ofMinutes(6), peers(0, 4, 0))))
                .noneMatch(t -> t.id().equals(InsightRules.FORCED_DERP));
    }

    @Test
    void udpBlocked_startsAndClears_withTheNatGatewayHint() {
        InsightTransition t = one(
                eval(only(Duration.ZERO, new Netcheck(false, Optional.empty()))),
                InsightRules.UDP_BLOCKED,
                State.ACTIVE);
        assertThat(t.message()).contains("NAT gateway", "security list");
        one(
                eval(only(Duration.ofMinutes(1), new Netcheck(true, Optional.empty()))),
                InsightRules.UDP_BLOCKED,
                State.CLEARED);
    }

    @Test
    void hardNat_startsAndClears_andUnknownMappingKeepsTheState() {
        one(eval(only(Duration.ZERO, new Netcheck(true, Optional.of(true)))), InsightRules.HARD_NAT, State.ACTIVE);
        assertThat(eval(only(Duration.ofMinutes(1), new Netcheck(true, Optional.empty()))))
                .isEmpty();
        one(
                eval(only(Duration.ofMinutes(2), new Netcheck(true, Optional.of(false)))),
                InsightRules.HARD_NAT,
                State.CLEARED);
    }

    @Test
    void noHomeDerp_startsAndClears() {
        one(eval(only(Duration.ZERO, running("", 0))), InsightRules.NO_HOME_DERP, State.ACTIVE);
        one(eval(only(Duration.ofMinutes(1), running("fra", 0))), InsightRules.NO_HOME_DERP, State.CLEARED);
    }

    @Test
    void homeDerpFlapping_startsAndClears() {
        InsightTransition t =
                one(eval(only(Duration.ZERO, running("ord", 3))), InsightRules.HOME_DERP_FLAPPING, State.ACTIVE);
        assertThat(t.evidence()).containsEntry("home_changes", 3L).containsEntry("home_region", "ord");
        one(eval(only(Duration.ofMinutes(30), running("ord", 0))), InsightRules.HOME_DERP_FLAPPING, State.CLEARED);
    }

    @Test
    void homeDerpDisagreement_startsAndClears() {
        one(
                eval(only(Duration.ZERO, new Home("Running", "fra", 0, Optional.of(true)))),
                InsightRules.HOME_DERP_DISAGREEMENT,
                State.ACTIVE);
        one(
                eval(only(Duration.ofMinutes(1), new Home("Running", "fra", 0, Optional.of(false)))),
                InsightRules.HOME_DERP_DISAGREEMENT,
                State.CLEARED);
    }

    @Test
    void loggedOut_fromNeedsLoginOrTheReStunSignature_saysItIsNotADerpFault_andClearsWhenRunning() {
        InsightTransition t = one(
                eval(inputs(
                        Duration.ZERO,
                        Optional.of(new Home("NeedsLogin", "", 0, Optional.empty())),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.of(new Node(0, true)))),
                InsightRules.LOGGED_OUT,
                State.ACTIVE);
        assertThat(t.message()).contains("not a DERP fault", "tailscale up");
        assertThat(t.evidence()).containsEntry("restun_ignored_stopped", true);
        assertThat(t.severity()).isEqualTo(InsightSeverity.CRITICAL);
        one(eval(only(Duration.ofMinutes(1), running("fra", 0))), InsightRules.LOGGED_OUT, State.CLEARED);
    }

    @Test
    void omitDefaultRegionsWithOneCustomRegion_startsAndClearsWithASecond() {
        InsightTransition t =
                one(eval(only(Duration.ZERO, map(true, 900))), InsightRules.OMIT_DEFAULT_REGIONS_SINGLE, State.ACTIVE);
        assertThat(t.message()).contains("OmitDefaultRegions");
        one(
                eval(only(Duration.ofMinutes(1), map(true, 900, 901))),
                InsightRules.OMIT_DEFAULT_REGIONS_SINGLE,
                State.CLEARED);
    }

    @Test
    void customRegionIdOutside900to999_startsAndClears_knowingTheDefaultIds() {
        DerpMapView bad = new DerpMapView(map(false, 1, 2, 42).map(), Optional.of(Set.of(1, 2)));
        InsightTransition t = one(eval(only(Duration.ZERO, bad)), InsightRules.CUSTOM_REGION_ID_RANGE, State.ACTIVE);
        assertThat(t.message()).contains("[42]", "RegionID", "900-999");
        DerpMapView good = new DerpMapView(map(false, 1, 2, 942).map(), Optional.of(Set.of(1, 2)));
        one(eval(only(Duration.ofMinutes(1), good)), InsightRules.CUSTOM_REGION_ID_RANGE, State.CLEARED);
    }

    @Test
    void randomUdpPort_whenDirectPathsNeverForm_startsAfterItsHoldTime_andClearsWhenOneDoes() {
        Optional<Node> node = Optional.of(new Node(53_117, false));
        eval(inputs(
                Duration.ZERO,
                Optional.empty(),
                Optional.empty(),
                Optional.of(peers(0, 3, 0)),
                Optional.empty(),
                node));
        InsightTransition t = one(
                eval(inputs(
                        Duration.ofMinutes(10),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.of(peers(0, 3, 0)),
                        Optional.empty(),
                        node)),
                InsightRules.RANDOM_UDP_PORT,
                State.ACTIVE);
        assertThat(t.message()).contains("53117", "--port 41641");
        one(
                eval(inputs(
                        Duration.ofMinutes(11),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.of(peers(1, 2, 0)),
                        Optional.empty(),
                        node)),
                InsightRules.RANDOM_UDP_PORT,
                State.CLEARED);
    }

    @Test
    void randomUdpPort_onTheFixedPort_saysNothing() {
        Optional<Node> node = Optional.of(new Node(41641, false));
        eval(inputs(
                Duration.ZERO,
                Optional.empty(),
                Optional.empty(),
                Optional.of(peers(0, 3, 0)),
                Optional.empty(),
                node));
        assertThat(eval(inputs(
                        Duration.ofHours(1),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.of(peers(0, 3, 0)),
                        Optional.empty(),
                        node)))
                .noneMatch(t -> t.id().equals(InsightRules.RANDOM_UDP_PORT));
    }

    @Test
    void peerRelaySuggestion_whenForcedDerpPersists_andClearsWithIt() {
        eval(only(Duration.ZERO, peers(0, 4, 0)));
        assertThat(eval(only(Duration.ofMinutes(30), peers(0, 4, 0))))
                .noneMatch(t -> t.id().equals(InsightRules.PEER_RELAY_SUGGESTION));
        InsightTransition t =
                one(eval(only(Duration.ofHours(1), peers(0, 4, 0))), InsightRules.PEER_RELAY_SUGGESTION, State.ACTIVE);
        assertThat(t.message()).contains("Peer Relay");
        one(eval(only(Duration.ofHours(2), peers(4, 0, 0))), InsightRules.PEER_RELAY_SUGGESTION, State.CLEARED);
    }

    @Test
    void missingInputs_neitherStartNorClear() {
        one(eval(only(Duration.ZERO, running("", 0))), InsightRules.NO_HOME_DERP, State.ACTIVE);
        assertThat(eval(only(Duration.ofMinutes(1), new Netcheck(true, Optional.of(false)))))
                .isEmpty();
        assertThat(engine.active()).containsExactly(InsightRules.NO_HOME_DERP);
    }

    @Test
    void everyRuleHasAnId_andEveryMessageSaysWhatToDo() {
        assertThat(engine.ids())
                .containsExactly(
                        "forced_derp",
                        "udp_blocked",
                        "hard_nat",
                        "no_home_derp",
                        "home_derp_flapping",
                        "home_derp_disagreement",
                        "logged_out",
                        "omit_default_regions_single_region",
                        "custom_region_id_outside_900_999",
                        "random_udp_port",
                        "peer_relay_suggestion");
    }
}
