package io.derpwatch.agent.insight;

import io.derpwatch.agent.derp.NodeDerpMap;
import io.derpwatch.agent.derpcheck.DerpCheckSnapshot;
import io.derpwatch.agent.derpcheck.DisagreementRule;
import io.derpwatch.agent.home.HomeConnection;
import io.derpwatch.agent.home.HomeReason;
import io.derpwatch.agent.home.HomeRegion;
import io.derpwatch.agent.home.HomeSnapshot;
import io.derpwatch.agent.ipn.BackendSnapshot;
import io.derpwatch.agent.ipn.BackendState;
import io.derpwatch.agent.ipn.BusHomeRule;
import io.derpwatch.agent.ipn.HealthSnapshot;
import io.derpwatch.agent.logs.LogMatch;
import io.derpwatch.agent.logs.LogSignatureBatch;
import io.derpwatch.agent.netcheck.NetcheckSnapshot;
import io.derpwatch.agent.peers.PeerCounts;
import io.derpwatch.agent.peers.PeerSnapshot;
import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.telemetry.TelemetryNames;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The state store as the insight rules see it: one {@link InsightInputs} from the latest snapshot of every
 * topic, plus the two things no single snapshot holds, which it keeps from the publishes it is told of:
 *
 * <ul>
 *   <li>how many times the home region changed within {@code home-derp-flapping.window} (from the home
 *       snapshots, by their wall time);
 *   <li>whether tailscaled logged {@code restun_ignored_stopped} since it was last seen {@code Running} (from
 *       the log signatures, reset by an {@code ipn_state_changed} to Running or a Running backend state).
 * </ul>
 *
 * The home view is the latest error-free home snapshot, its backend state replaced by the backend topic's when
 * that is newer (the IPN bus), a {@code no-derp-home} health warning meaning no home, and the active DERP check
 * compared with it when it checked the home region. Not thread-safe: the evaluator calls it under its lock.
 */
final class InsightStoreView {
    private static final String RESTUN_STOPPED = "restun_ignored_stopped";
    private static final String IPN_STATE_CHANGED = "ipn_state_changed";

    private final StateStore state;
    private final Duration flappingWindow;
    private final Deque<Instant> regionChanges = new ArrayDeque<>();
    private String lastRegion = "";
    private boolean logsSeen;
    private boolean stoppedNoKey;

    InsightStoreView(StateStore state, Duration flappingWindow) {
        this.state = state;
        this.flappingWindow = flappingWindow;
    }

    /** A home snapshot was published: counts a region change, and a Running state ends "stopped, no key". */
    void homePublished(HomeSnapshot home) {
        if (home.error().isPresent()) {
            return;
        }
        home.connection().region().map(HomeRegion::code).ifPresent(code -> {
            if (!lastRegion.isEmpty() && !lastRegion.equals(code)) {
                regionChanges.addLast(home.sampledAt());
            }
            lastRegion = code;
        });
        if (home.status().map(s -> s.running()).orElse(false)) {
            stoppedNoKey = false;
        }
    }

    void backendPublished(BackendSnapshot backend) {
        if (backend.state() == BackendState.RUNNING) {
            stoppedNoKey = false;
        }
    }

    void logsPublished(LogSignatureBatch batch) {
        logsSeen = true;
        for (LogMatch m : batch.matches()) {
            if (m.signature().equals(RESTUN_STOPPED)) {
                stoppedNoKey = true;
            } else if (m.signature().equals(IPN_STATE_CHANGED)
                    && BackendState.RUNNING
                            .wireName()
                            .equals(m.attributes().get(TelemetryNames.BACKEND_STATE.getKey()))) {
                stoppedNoKey = false;
            }
        }
    }

    InsightInputs inputs(Instant at) {
        Optional<PeerCounts> peers = state.latest(PeerSnapshot.TOPIC).map(PeerSnapshot::counts);
        return new InsightInputs(
                at,
                home(at),
                state.latest(NetcheckSnapshot.TOPIC)
                        .flatMap(NetcheckSnapshot::report)
                        .map(r -> new InsightInputs.Netcheck(r.udp(), r.mappingVariesByDestIp())),
                peers,
                state.latest(NodeDerpMap.TOPIC)
                        .filter(m -> !m.map().isEmpty())
                        .map(m -> new InsightInputs.DerpMapView(m.map(), Optional.empty())),
                peers.isEmpty() && !logsSeen
                        ? Optional.empty()
                        : Optional.of(new InsightInputs.Node(
                                peers.map(PeerCounts::selfUdpPort).orElse(0), stoppedNoKey)));
    }

    private Optional<InsightInputs.Home> home(Instant at) {
        Optional<HomeSnapshot> latest = state.latest(HomeSnapshot.TOPIC)
                .filter(h -> h.error().isEmpty() && h.status().isPresent());
        if (latest.isEmpty()) {
            return Optional.empty();
        }
        HomeSnapshot home = latest.get();
        HomeConnection c = home.connection();
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("home_connection.reason", c.reason().wireName());

        String backend = home.status().get().backendState();
        Optional<BackendSnapshot> bus =
                state.latest(BackendSnapshot.TOPIC).filter(b -> !b.sampledAt().isBefore(home.sampledAt()));
        if (bus.isPresent()) {
            backend = bus.get().state().wireName();
        }

        Optional<String> noHomeWarning = state.latest(HealthSnapshot.TOPIC)
                .flatMap(h -> Optional.ofNullable(h.warnings().get(BusHomeRule.NO_DERP_HOME)))
                .map(w -> w.text().isEmpty() ? w.code() : w.text());
        noHomeWarning.or(() -> c.warning()).ifPresent(w -> evidence.put("health_warning", w));
        boolean noHome = c.reason() == HomeReason.NO_HOME_REGION
                || c.reason() == HomeReason.NO_DERP_HOME
                || noHomeWarning.isPresent();
        String region = noHome ? "" : c.region().map(HomeRegion::code).orElse("");

        Instant windowStart = at.minus(flappingWindow);
        while (!regionChanges.isEmpty() && !regionChanges.peekFirst().isAfter(windowStart)) {
            regionChanges.removeFirst();
        }

        boolean running = backend.equals(BackendState.RUNNING.wireName());
        Optional<Boolean> disagrees = state.latest(DerpCheckSnapshot.TOPIC)
                .flatMap(DerpCheckSnapshot::result)
                .filter(r -> c.region()
                        .flatMap(h -> h.id().isPresent() ? Optional.of(h.id().getAsInt()) : Optional.empty())
                        .map(id -> id == r.target().regionId())
                        .orElse(true))
                .map(r -> {
                    evidence.put("derp_check.reachable", r.reachable());
                    r.failedStep().ifPresent(s -> evidence.put("derp_check.step", s.wireName()));
                    if (!r.error().isEmpty()) {
                        evidence.put("derp_check.error", r.error());
                    }
                    return running && DisagreementRule.disagree(c, r);
                });
        return Optional.of(new InsightInputs.Home(backend, region, regionChanges.size(), disagrees, evidence));
    }
}
