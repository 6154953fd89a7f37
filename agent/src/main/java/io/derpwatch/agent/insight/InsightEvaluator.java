package io.derpwatch.agent.insight;

import io.derpwatch.agent.derp.NodeDerpMap;
import io.derpwatch.agent.netcheck.NetcheckSnapshot;
import io.derpwatch.agent.peers.PeerSnapshot;
import io.derpwatch.agent.source.AgentClock;
import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.telemetry.TelemetryNames;
import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsException;
import io.derpwatch.config.SettingsReader;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs the {@link InsightEngine} on every change of its input topics (peers, netcheck, the DERP map) and
 * publishes an {@link InsightSnapshot}; registers {@code tailscale.insight.active} by id. Inputs the agent does
 * not publish yet (the home view with flapping counts, the node's port) stay empty, so their rules neither start
 * nor clear.
 */
public final class InsightEvaluator {
    private final InsightEngine engine;
    private final StateStore state;
    private final AgentClock clock;

    private InsightEvaluator(InsightEngine engine, StateStore state, AgentClock clock) {
        this.engine = engine;
        this.state = state;
        this.clock = clock;
    }

    /** Subscribes the rules to {@code state} and registers the gauge. */
    public static void start(DerpwatchSettings settings, StateStore state, AgentClock clock, Meter meter) {
        InsightEvaluator evaluator = new InsightEvaluator(InsightEngine.standard(read(settings)), state, clock);
        state.subscribe(PeerSnapshot.TOPIC, (p, c) -> evaluator.evaluate());
        state.subscribe(NetcheckSnapshot.TOPIC, (p, c) -> evaluator.evaluate());
        state.subscribe(NodeDerpMap.TOPIC, (p, c) -> evaluator.evaluate());
        meter.gaugeBuilder(TelemetryNames.INSIGHT_ACTIVE)
                .ofLongs()
                .setDescription("1 while the insight is active, 0 otherwise")
                .buildWithCallback(m -> state.latest(InsightSnapshot.TOPIC).ifPresent(s -> {
                    for (String id : s.ids()) {
                        m.record(s.active().contains(id) ? 1 : 0, Attributes.of(TelemetryNames.INSIGHT_ID, id));
                    }
                }));
    }

    private synchronized void evaluate() {
        InsightInputs in = new InsightInputs(
                clock.wallTime(),
                Optional.empty(),
                state.latest(NetcheckSnapshot.TOPIC)
                        .flatMap(NetcheckSnapshot::report)
                        .map(r -> new InsightInputs.Netcheck(r.udp(), r.mappingVariesByDestIp())),
                state.latest(PeerSnapshot.TOPIC).map(PeerSnapshot::counts),
                state.latest(NodeDerpMap.TOPIC)
                        .filter(m -> !m.map().isEmpty())
                        .map(m -> new InsightInputs.DerpMapView(m.map(), Optional.empty())),
                Optional.empty());
        List<InsightTransition> transitions = engine.evaluate(in);
        state.publish(InsightSnapshot.TOPIC, new InsightSnapshot(engine.ids(), engine.active(), transitions));
    }

    static InsightSettings read(DerpwatchSettings settings) {
        List<ConfigProblem> problems = new ArrayList<>();
        SettingsReader r = settings.reader("insights", problems);
        InsightSettings out = new InsightSettings(
                Double.parseDouble(
                        r.config().getValue("forced-derp.share").unwrapped().toString()),
                r.child("forced-derp").integer("min-active-peers", 0, 1_000_000),
                // 0 is allowed here: start forced_derp on the first sample that shows it
                r.config().getDuration("forced-derp.for"),
                r.child("home-derp-flapping").integer("changes", 1, 1000),
                r.child("peer-relay-suggestion").duration("after"),
                r.child("random-udp-port").duration("after"));
        try {
            r.throwIfProblems();
        } catch (SettingsException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return out;
    }

    /** Whether {@code derpwatch.insights.enabled}. */
    public static boolean enabled(DerpwatchSettings settings) {
        return settings.reader("insights", new ArrayList<>()).bool("enabled");
    }
}
