package io.derpwatch.agent.view;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpRegion;
import io.derpwatch.agent.home.HomeConnection;
import io.derpwatch.agent.home.HomeSnapshot;
import io.derpwatch.agent.home.HomeState;
import io.derpwatch.agent.localapi.NodeStatus;
import io.derpwatch.agent.netcheck.NetcheckReport;
import io.derpwatch.agent.telemetry.ResourceFactory;
import io.derpwatch.sinks.DropReason;
import io.derpwatch.sinks.SinkStats;
import io.opentelemetry.api.common.Attributes;
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
 * Builds the {@link AgentView} from what the agent has today: the home state the status source writes, the
 * last netcheck reports and events (bounded), and the sinks' stats. The state store replaces it later.
 */
public final class LiveViewSource implements ViewSource {
    /** A netcheck report and the DERP map it was measured against. */
    public record MeasuredReport(NetcheckReport report, DerpMap map) {}

    private final String source;
    private final HomeState home;
    private final BoundedHistory<MeasuredReport> reports;
    private final BoundedHistory<AgentView.Event> events;
    private final Supplier<List<SinkStats>> sinks;
    private final Clock clock;

    /**
     * @param source {@code agent} or {@code sample}, see {@link AgentView#source()}
     * @param history how many reports and events to keep
     */
    public LiveViewSource(String source, HomeState home, int history, Supplier<List<SinkStats>> sinks, Clock clock) {
        this.source = source;
        this.home = home;
        this.reports = new BoundedHistory<>(history);
        this.events = new BoundedHistory<>(history);
        this.sinks = sinks;
        this.clock = clock;
    }

    /** Keeps a netcheck report (called on the event loop after each report). */
    public void report(NetcheckReport report, DerpMap map) {
        reports.add(new MeasuredReport(report, map));
    }

    /** Keeps an emitted event. */
    public void event(String name, Severity severity, String body, Attributes attributes) {
        events.add(new AgentView.Event(clock.instant().toString(), name, severity.name(), body));
    }

    @Override
    public AgentView snapshot() {
        Optional<HomeSnapshot> h = home.latest();
        List<MeasuredReport> history = reports.items();
        MeasuredReport latest = history.isEmpty() ? null : history.get(history.size() - 1);
        AgentView.Home homeView = h.map(LiveViewSource::home).orElseGet(LiveViewSource::noSampleYet);
        Optional<NodeStatus> status = h.flatMap(HomeSnapshot::status);
        List<AgentView.Report> reportViews = new ArrayList<>();
        for (MeasuredReport r : history) {
            reportViews.add(report(r.report()));
        }
        return new AgentView(
                AgentView.SCHEMA_VERSION,
                clock.instant().toString(),
                ResourceFactory.version(),
                source,
                homeView,
                latest == null ? null : netcheck(latest.report()),
                regions(latest, homeView),
                reportViews,
                status.flatMap(NodeStatus::peers)
                        .map(p -> new AgentView.Peers(p.direct(), p.derp(), p.peerRelay(), p.idle()))
                        .orElse(null),
                status.map(NodeStatus::health).orElse(List.of()),
                events.items(),
                List.of(),
                sinks.get().stream().map(LiveViewSource::sink).toList());
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

    private static List<AgentView.Region> regions(@Nullable MeasuredReport latest, AgentView.Home home) {
        if (latest == null) {
            return List.of();
        }
        Map<Integer, Duration> best = latest.report().regionLatency();
        List<AgentView.Region> out = new ArrayList<>();
        for (DerpRegion r : latest.map().regions().values()) {
            Duration d = best.get(r.id());
            out.add(new AgentView.Region(
                    r.id(),
                    r.code(),
                    r.name(),
                    d == null ? null : millis(d),
                    r.id() == latest.report().preferredDerp(),
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
