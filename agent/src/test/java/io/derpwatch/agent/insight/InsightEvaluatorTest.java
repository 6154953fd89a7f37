package io.derpwatch.agent.insight;

import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.agent.derpcheck.DerpCheckResult;
import io.derpwatch.agent.derpcheck.DerpCheckSnapshot;
import io.derpwatch.agent.derpcheck.DerpCheckStep;
import io.derpwatch.agent.derpcheck.DerpCheckTarget;
import io.derpwatch.agent.home.HomeConnection;
import io.derpwatch.agent.home.HomeReason;
import io.derpwatch.agent.home.HomeRegion;
import io.derpwatch.agent.home.HomeSnapshot;
import io.derpwatch.agent.insight.InsightTransition.State;
import io.derpwatch.agent.ipn.BackendSnapshot;
import io.derpwatch.agent.ipn.BackendState;
import io.derpwatch.agent.ipn.HealthSnapshot;
import io.derpwatch.agent.ipn.HealthWarning;
import io.derpwatch.agent.localapi.NodeStatus;
import io.derpwatch.agent.logs.LogLine;
import io.derpwatch.agent.logs.LogLineParser;
import io.derpwatch.agent.logs.LogSignatureBatch;
import io.derpwatch.agent.logs.LogSignatures;
import io.derpwatch.agent.peers.PeerCounts;
import io.derpwatch.agent.peers.PeerPath;
import io.derpwatch.agent.peers.PeerSnapshot;
import io.derpwatch.agent.source.AgentClock;
import io.derpwatch.agent.state.StateStore;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The insight rules fed from the state store as the agent feeds them: each rule that reads the home view, the
 * backend state, health, the active DERP check, the log signatures or the node's port is started and cleared by
 * publishing the snapshots the sources publish, on a virtual wall clock.
 */
class InsightEvaluatorTest {
    private static final Instant T0 = Instant.parse("2026-12-01T12:00:00Z");

    private final StateStore state = new StateStore();
    private Instant now = T0;
    private final List<InsightTransition> transitions = new ArrayList<>();

    @BeforeEach
    void start() {
        AgentClock clock = new AgentClock() {
            @Override
            public long monotonicNanos() {
                return Duration.between(T0, now).toNanos();
            }

            @Override
            public Instant wallTime() {
                return now;
            }
        };
        InsightEvaluator.subscribe(InsightSettings.DEFAULTS, state, clock);
        state.subscribe(InsightSnapshot.TOPIC, (p, c) -> transitions.addAll(c.transitions()));
    }

    private void advance(Duration d) {
        now = now.plus(d);
    }

    private static HomeRegion region(String code, int id) {
        return new HomeRegion(code, OptionalInt.of(id), Optional.empty());
    }

    private static NodeStatus status(String backend, String relay) {
        return new NodeStatus("1.92.3", backend, true, relay, List.of(), Optional.empty());
    }

    private void home(HomeConnection c, String backend) {
        String relay = c.region().map(HomeRegion::code).orElse("");
        state.publish(
                HomeSnapshot.TOPIC, new HomeSnapshot(c, Optional.of(status(backend, relay)), Optional.empty(), now));
    }

    private void connected(String code, int id) {
        home(new HomeConnection(1, HomeReason.CONNECTED, Optional.of(region(code, id)), Optional.empty()), "Running");
    }

    private List<InsightTransition> of(String id) {
        return transitions.stream().filter(t -> t.id().equals(id)).toList();
    }

    private List<State> states(String id) {
        return of(id).stream().map(InsightTransition::state).toList();
    }

    @Test
    void noHomeDerp_startsFromTheHomeSnapshotsReason_andClearsWhenARegionIsPicked() {
        home(new HomeConnection(0, HomeReason.NO_HOME_REGION, Optional.empty(), Optional.empty()), "Running");
        assertThat(states(InsightRules.NO_HOME_DERP)).containsExactly(State.ACTIVE);
        assertThat(of(InsightRules.NO_HOME_DERP).get(0).evidence())
                .containsEntry("home_connection.reason", "no_home_region");

        advance(Duration.ofSeconds(30));
        connected("fra", 4);
        assertThat(states(InsightRules.NO_HOME_DERP)).containsExactly(State.ACTIVE, State.CLEARED);
    }

    @Test
    void noHomeDerp_startsFromTheNoDerpHomeHealthWarning_andClearsWhenItIsResolved() {
        connected("fra", 4);
        HealthWarning w = new HealthWarning(
                "no-derp-home",
                "high",
                "No home relay server",
                "Tailscale could not connect to any relay server.",
                true,
                Map.of(),
                "");
        state.publish(HealthSnapshot.TOPIC, new HealthSnapshot(Map.of(w.code(), w), now));
        assertThat(states(InsightRules.NO_HOME_DERP)).containsExactly(State.ACTIVE);
        assertThat(of(InsightRules.NO_HOME_DERP).get(0).evidence())
                .containsEntry("health_warning", "Tailscale could not connect to any relay server.");

        advance(Duration.ofSeconds(5));
        state.publish(HealthSnapshot.TOPIC, new HealthSnapshot(Map.of(), now));
        assertThat(states(InsightRules.NO_HOME_DERP)).containsExactly(State.ACTIVE, State.CLEARED);
    }

    @Test
    void homeDerpFlapping_countsRegionChangesOfTheHomeSnapshots_andClearsWhenTheWindowPassesThem() {
        connected("fra", 4);
        for (String code : List.of("nyc", "fra", "nyc")) {
            advance(Duration.ofMinutes(1));
            connected(code, code.equals("fra") ? 4 : 1);
        }
        assertThat(states(InsightRules.HOME_DERP_FLAPPING)).containsExactly(State.ACTIVE);
        assertThat(of(InsightRules.HOME_DERP_FLAPPING).get(0).evidence())
                .containsEntry("home_changes", 3L)
                .containsEntry("home_region", "nyc");

        advance(Duration.ofMinutes(29)); // the first change leaves the 30-minute window
        connected("nyc", 1);
        assertThat(states(InsightRules.HOME_DERP_FLAPPING)).containsExactly(State.ACTIVE, State.CLEARED);
    }

    @Test
    void homeDerpDisagreement_startsWhenTheActiveCheckFailsTheConnectedHome_andClearsWhenItReachesIt() {
        connected("fra", 4);
        DerpCheckTarget target = new DerpCheckTarget(4, "4a", "derp4.example", "127.0.0.1", 443);
        state.publish(
                DerpCheckSnapshot.TOPIC,
                new DerpCheckSnapshot(
                        Optional.of(new DerpCheckResult(
                                target, Optional.of(DerpCheckStep.TLS), "handshake timed out", Map.of())),
                        now));
        assertThat(states(InsightRules.HOME_DERP_DISAGREEMENT)).containsExactly(State.ACTIVE);
        assertThat(of(InsightRules.HOME_DERP_DISAGREEMENT).get(0).evidence())
                .containsEntry("derp_check.reachable", false)
                .containsEntry("derp_check.step", "tls")
                .containsEntry("derp_check.error", "handshake timed out");

        advance(Duration.ofMinutes(1));
        state.publish(
                DerpCheckSnapshot.TOPIC,
                new DerpCheckSnapshot(
                        Optional.of(new DerpCheckResult(
                                target, Optional.empty(), "", Map.of(DerpCheckStep.TCP, Duration.ofMillis(3)))),
                        now));
        assertThat(states(InsightRules.HOME_DERP_DISAGREEMENT)).containsExactly(State.ACTIVE, State.CLEARED);
    }

    @Test
    void homeDerpDisagreement_aCheckOfAnotherRegionSaysNothing() {
        connected("fra", 4);
        DerpCheckTarget other = new DerpCheckTarget(1, "1a", "derp1.example", "127.0.0.1", 443);
        state.publish(
                DerpCheckSnapshot.TOPIC,
                new DerpCheckSnapshot(
                        Optional.of(new DerpCheckResult(other, Optional.of(DerpCheckStep.TCP), "refused", Map.of())),
                        now));
        assertThat(of(InsightRules.HOME_DERP_DISAGREEMENT)).isEmpty();
    }

    @Test
    void loggedOut_startsFromTheBusBackendState_newerThanTheStatus_andClearsWhenRunning() {
        connected("fra", 4);
        advance(Duration.ofSeconds(1));
        state.publish(BackendSnapshot.TOPIC, new BackendSnapshot(BackendState.NEEDS_LOGIN, "bus", now));
        assertThat(states(InsightRules.LOGGED_OUT)).containsExactly(State.ACTIVE);
        assertThat(of(InsightRules.LOGGED_OUT).get(0).evidence()).containsEntry("backend_state", "NeedsLogin");

        advance(Duration.ofSeconds(1));
        state.publish(BackendSnapshot.TOPIC, new BackendSnapshot(BackendState.RUNNING, "bus", now));
        assertThat(states(InsightRules.LOGGED_OUT)).containsExactly(State.ACTIVE, State.CLEARED);
    }

    @Test
    void loggedOut_startsFromTheReStunIgnoredLogSignature_andClearsWhenTheLogSaysRunning() {
        home(new HomeConnection(0, HomeReason.NOT_RUNNING, Optional.empty(), Optional.empty()), "Starting");
        logs("2022/03/28 07:42:19 magicsock: ReSTUN(\"link-change-major\") ignored; stopped, no private key");
        assertThat(states(InsightRules.LOGGED_OUT)).containsExactly(State.ACTIVE);
        assertThat(of(InsightRules.LOGGED_OUT).get(0).evidence()).containsEntry("restun_ignored_stopped", true);
        assertThat(of(InsightRules.LOGGED_OUT).get(0).message()).contains("not a DERP fault");

        advance(Duration.ofSeconds(10));
        logs("2022/03/28 07:42:29 Switching ipn state Starting -> Running");
        assertThat(states(InsightRules.LOGGED_OUT)).containsExactly(State.ACTIVE, State.CLEARED);
    }

    private void logs(String line) {
        LogLine parsed = new LogLineParser(ZoneOffset.UTC, now).parse(line);
        state.publish(
                LogSignatureBatch.TOPIC,
                new LogSignatureBatch(List.of(LogSignatures.match(parsed).orElseThrow()), now));
    }

    @Test
    void randomUdpPort_readsTheNodesPortFromThePeersSnapshot_startsAfterItsHoldTime_andClearsOnADirectPath() {
        peers(0, 3, 0, 52_113);
        advance(Duration.ofMinutes(10));
        peers(0, 3, 0, 52_113);
        assertThat(states(InsightRules.RANDOM_UDP_PORT)).containsExactly(State.ACTIVE);
        assertThat(of(InsightRules.RANDOM_UDP_PORT).get(0).evidence()).containsEntry("udp_port", 52_113L);
        assertThat(of(InsightRules.RANDOM_UDP_PORT).get(0).message()).contains("--port 41641");

        advance(Duration.ofSeconds(30));
        peers(1, 2, 0, 52_113);
        assertThat(states(InsightRules.RANDOM_UDP_PORT)).containsExactly(State.ACTIVE, State.CLEARED);
    }

    @Test
    void randomUdpPort_onTheFixedPort_saysNothing() {
        peers(0, 3, 0, 41_641);
        advance(Duration.ofMinutes(20));
        peers(0, 3, 0, 41_641);
        assertThat(of(InsightRules.RANDOM_UDP_PORT)).isEmpty();
    }

    private void peers(int direct, int derp, int idle, int port) {
        PeerCounts c = new PeerCounts(
                Map.of(PeerPath.DIRECT, direct, PeerPath.DERP, derp, PeerPath.IDLE, idle),
                direct + derp,
                List.of(),
                0,
                port);
        state.publish(PeerSnapshot.TOPIC, new PeerSnapshot(c, List.of(), now));
    }
}
