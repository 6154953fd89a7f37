package io.derpwatch.agent.view;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpRegion;
import io.derpwatch.agent.derp.NodeDerpMap;
import io.derpwatch.agent.home.HomeConnection;
import io.derpwatch.agent.home.HomeSnapshot;
import io.derpwatch.agent.ipn.WatchMode;
import io.derpwatch.agent.localapi.NodeStatus;
import io.derpwatch.agent.netcheck.NetcheckReport;
import io.derpwatch.agent.netcheck.NetcheckSnapshot;
import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.telemetry.ResourceFactory;
import io.derpwatch.sinks.DropReason;
import io.derpwatch.sinks.SinkStats;
import io.opentelemetry.api.logs.Severity;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Builds the {@link AgentView} from the agent's {@link StateStore}: the home snapshot (with tailscaled's peers and
 * health warnings), the latest netcheck snapshot and the DERP map, plus what the store does not hold: the last
 * netcheck reports (kept from {@link NetcheckSnapshot#TOPIC} as they are published), the last change events
 * (from the {@link io.derpwatch.agent.events.ChangeEventEmitter}) and the sinks' stats. Insights get a topic of
 * their own later; until then the list is empty.
 */
public final class StateViewSource implements ViewSource {
    private final String source;
    private final StateStore state;
    private final BoundedHistory<NetcheckReport> reports;
    private final BoundedHistory<AgentView.Event> events;
    private final Supplier<List<SinkStats>> sinks;
    private final Clock clock;

    private StateViewSource(
            String source, StateStore state, int history, Supplier<List<SinkStats>> sinks, Clock clock) {
        this.source = source;
        this.state = state;
        this.reports = new BoundedHistory<>(history);
        this.events = new BoundedHistory<>(history);
        this.sinks = sinks;
        this.clock = clock;
    }

    /**
     * A view over {@code state}, keeping the netcheck reports published from now on.
     *
     * @param source  {@code agent} or {@code sample}, see {@link AgentView#source()}
     * @param history how many reports and events to keep
     */
    public static StateViewSource subscribe(
            String source, StateStore state, int history, Supplier<List<SinkStats>> sinks, Clock clock) {
        StateViewSource view = new StateViewSource(source, state, history, sinks, clock);
        state.subscribe(
                NetcheckSnapshot.TOPIC, (previous, current) -> current.report().ifPresent(view.reports::add));
        return view;
    }

    /** Keeps a change event ({@link io.derpwatch.agent.events.ChangeEventEmitter.Listener}). */
    public void event(String name, Severity severity, String body) {
        events.add(new AgentView.Event(clock.instant().toString(), name, severity.name(), body));
    }

    @Override
    public AgentView snapshot() {
        Optional<HomeSnapshot> h = state.latest(HomeSnapshot.TOPIC);
        Optional<NetcheckSnapshot> netcheck = state.latest(NetcheckSnapshot.TOPIC);
        Optional<NetcheckReport> latest = netcheck.flatMap(NetcheckSnapshot::report);
        AgentView.Home homeView = h.map(StateViewSource::home).orElseGet(StateViewSource::noSampleYet);
        Optional<WatchMode> mode = state.latest(WatchMode.TOPIC);
        if (mode.isPresent()) {
            homeView = homeView.withMode(
                    mode.get().mode(), mode.get().reason(), mode.get().detail());
        }
        Optional<NodeStatus> status = h.flatMap(HomeSnapshot::status);
        // the map netcheck measured against; else (netcheck off or not run yet) the node's own
        DerpMap map = netcheck.map(NetcheckSnapshot::map)
                .or(() -> state.latest(NodeDerpMap.TOPIC).map(NodeDerpMap::map))
                .orElse(DerpMap.EMPTY);
        List<AgentView.Report> reportViews = new ArrayList<>();
        for (NetcheckReport r : reports.items()) {
            reportViews.add(report(r));
        }
        return new AgentView(
                AgentView.SCHEMA_VERSION,
                clock.instant().toString(),
                ResourceFactory.version(),
                source,
                homeView,
                latest.map(StateViewSource::netcheck).orElse(null),
                regions(map, latest.orElse(null), homeView),
                reportViews,
                status.flatMap(NodeStatus::peers)
                        .map(p -> new AgentView.Peers(p.direct(), p.derp(), p.peerRelay(), p.idle()))
                        .orElse(null),
                status.map(NodeStatus::health).orElse(List.of()),
                events.items(),
                List.of(),
                sinks.get().stream().map(StateViewSource::sink).toList());
    }

    private static AgentView.Home noSampleYet() {
        return new AgentView.Home(false, 0, NO_SAMPLE_YET, null, null, null, null, null, null, null, null);
    }

    private static AgentView.Home home(HomeSnapshot s) {
        HomeConnection c = s.connection();
        Optional<NodeStatus> st = s.status();
        return new AgentView.Home(
                c.connected(),
                c.value(),
                c.reason().wireName(),
                c.region().map(r -> r.code()).orElse(null),
                c.region()
                        .flatMap(r -> r.id().isPresent() ? Optional.of(r.id().getAsInt()) : Optional.empty())
                        .orElse(null),
                c.region().flatMap(r -> r.name()).orElse(null),
                c.warning().orElse(null),
                st.map(NodeStatus::backendState).filter(b -> !b.isEmpty()).orElse(null),
                st.map(NodeStatus::version).filter(v -> !v.isEmpty()).orElse(null),
                s.error()
                        .map(e -> e.kind().wireName() + " on " + e.path() + ": " + e.message())
                        .orElse(null),
                s.sampledAt().toString());
    }

    private static AgentView.Netcheck netcheck(NetcheckReport r) {
        return new AgentView.Netcheck(
                r.now().toString(),
                millis(r.duration()),
                r.udp(),
                r.ipv4(),
                r.ipv6(),
                r.mappingVariesByDestIp().orElse(null),
                r.captivePortal().orElse(null),
                r.preferredDerp());
    }

    private static AgentView.Report report(NetcheckReport r) {
        Map<String, Double> latency = new TreeMap<>();
        Map<Integer, Duration> best = r.regionLatency();
        best.forEach((id, d) -> latency.put(String.valueOf(id), millis(d)));
        List<Integer> unanswered = r.probedRegions().stream()
                .filter(id -> !best.containsKey(id))
                .sorted()
                .toList();
        return new AgentView.Report(r.now().toString(), r.preferredDerp(), latency, unanswered);
    }

    private static List<AgentView.Region> regions(DerpMap map, @Nullable NetcheckReport latest, AgentView.Home home) {
        Map<Integer, Duration> best = latest == null ? Map.of() : latest.regionLatency();
        List<AgentView.Region> out = new ArrayList<>();
        for (DerpRegion r : map.regions().values()) {
            Duration d = best.get(r.id());
            out.add(new AgentView.Region(
                    r.id(),
                    r.code(),
                    r.name(),
                    d == null ? null : millis(d),
                    latest != null && r.id() == latest.preferredDerp(),
                    r.code().equals(home.regionCode())));
        }
        return out;
    }

    private static AgentView.Sink sink(SinkStats s) {
        Map<String, Long> dropped = new TreeMap<>();
        for (DropReason reason : DropReason.values()) {
            if (s.dropped(reason) > 0) {
                dropped.put(reason.attributeValue(), s.dropped(reason));
            }
        }
        return new AgentView.Sink(s.sink(), s.queued(), s.exported(), s.failed(), s.retries(), dropped, s.lastError());
    }

    private static double millis(Duration d) {
        return Math.round(d.toNanos() / 1000.0) / 1000.0;
    }

    /** Not a {@code HomeReason}: the view's own reason before the first status sample. */
    static final String NO_SAMPLE_YET = "no_sample_yet";
}
