package io.derpwatch.agent.insight;

import io.derpwatch.agent.derp.NodeDerpMap;
import io.derpwatch.agent.derpcheck.DerpCheckSnapshot;
import io.derpwatch.agent.home.HomeSnapshot;
import io.derpwatch.agent.ipn.BackendSnapshot;
import io.derpwatch.agent.ipn.HealthSnapshot;
import io.derpwatch.agent.logs.LogSignatureBatch;
import io.derpwatch.agent.netcheck.NetcheckSnapshot;
import io.derpwatch.agent.peers.PeerSnapshot;
import io.derpwatch.agent.source.AgentClock;
import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.telemetry.TelemetryNames;
import io.derpwatch.config.DerpwatchSettings;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import java.util.List;

/**
 * Runs the {@link InsightEngine} on every change of its input topics (home, backend state, health, the active
 * DERP check, peers, netcheck, the DERP map, log signatures), over the {@link InsightStoreView} of the store,
 * and publishes an {@link InsightSnapshot}; registers {@code tailscale.insight.active} by id.
 */
public final class InsightEvaluator {
    private final InsightEngine engine;
    private final InsightStoreView view;
    private final StateStore state;
    private final AgentClock clock;

    private InsightEvaluator(InsightEngine engine, InsightStoreView view, StateStore state, AgentClock clock) {
        this.engine = engine;
        this.view = view;
        this.state = state;
        this.clock = clock;
    }

    /** Subscribes the rules to {@code state} and registers the gauge. */
    public static void start(DerpwatchSettings settings, StateStore state, AgentClock clock, Meter meter) {
        subscribe(read(settings), state, clock);
        meter.gaugeBuilder(TelemetryNames.INSIGHT_ACTIVE)
                .ofLongs()
                .setDescription("1 while the insight is active, 0 otherwise")
                .buildWithCallback(m -> state.latest(InsightSnapshot.TOPIC).ifPresent(s -> {
                    for (String id : s.ids()) {
                        m.record(s.active().contains(id) ? 1 : 0, Attributes.of(TelemetryNames.INSIGHT_ID, id));
                    }
                }));
    }

    /** The rules with {@code settings}, evaluated on every publish of an input topic of {@code state}. */
    static void subscribe(InsightSettings settings, StateStore state, AgentClock clock) {
        InsightEvaluator e = new InsightEvaluator(
                InsightEngine.standard(settings), new InsightStoreView(state, settings.flappingWindow()), state, clock);
        state.subscribe(HomeSnapshot.TOPIC, (p, c) -> e.evaluate(() -> e.view.homePublished(c)));
        state.subscribe(BackendSnapshot.TOPIC, (p, c) -> e.evaluate(() -> e.view.backendPublished(c)));
        state.subscribe(LogSignatureBatch.TOPIC, (p, c) -> e.evaluate(() -> e.view.logsPublished(c)));
        state.subscribe(HealthSnapshot.TOPIC, (p, c) -> e.evaluate(() -> {}));
        state.subscribe(DerpCheckSnapshot.TOPIC, (p, c) -> e.evaluate(() -> {}));
        state.subscribe(PeerSnapshot.TOPIC, (p, c) -> e.evaluate(() -> {}));
        state.subscribe(NetcheckSnapshot.TOPIC, (p, c) -> e.evaluate(() -> {}));
        state.subscribe(NodeDerpMap.TOPIC, (p, c) -> e.evaluate(() -> {}));
    }

    private synchronized void evaluate(Runnable observe) {
        observe.run();
        List<InsightTransition> transitions = engine.evaluate(view.inputs(clock.wallTime()));
        state.publish(InsightSnapshot.TOPIC, new InsightSnapshot(engine.ids(), engine.active(), transitions));
    }

    static InsightSettings read(DerpwatchSettings settings) {
        return settings.section(InsightSettings.Section.class)
                .withDisagreementFor(settings.config().getDuration("derp-check.disagreement-threshold"));
    }

    /** Whether {@code derpwatch.insights.enabled}. */
    public static boolean enabled(DerpwatchSettings settings) {
        return settings.section(InsightSettings.Section.class).enabled();
    }
}
