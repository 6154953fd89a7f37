package io.derpwatch.lab;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a {@link LabScenario} against an emulator on an event loop; {@link #close()} stops it. */
public final class ScenarioRunner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ScenarioRunner.class);

    private final LocalApiEmulator emulator;
    private final EventExecutor executor;
    private final LabScenario scenario;
    private volatile int index = -1;
    private volatile boolean closed;
    private ScheduledFuture<?> next;

    private final Consumer<LabScenario.Step> listener;

    ScenarioRunner(
            LocalApiEmulator emulator,
            EventExecutor executor,
            LabScenario scenario,
            Consumer<LabScenario.Step> listener) {
        this.emulator = emulator;
        this.executor = executor;
        this.scenario = scenario;
        this.listener = listener;
        executor.execute(() -> enter(0));
    }

    /** The name of the step now in force, or empty before the first one is applied. */
    public String currentStep() {
        int i = index;
        return i < 0 ? "" : scenario.steps().get(i).name();
    }

    private void enter(int i) {
        if (closed) {
            return;
        }
        LabScenario.Step step = scenario.steps().get(i);
        emulator.update(step.change());
        index = i;
        log.info("lab scenario: {} for {}", step.name(), step.hold());
        try {
            listener.accept(step);
        } catch (RuntimeException e) {
            log.warn("lab scenario listener failed on {}: {}", step.name(), e.toString());
        }
        int following = i + 1;
        if (following == scenario.steps().size()) {
            if (!scenario.repeat()) {
                return;
            }
            following = 0;
        }
        int target = following;
        next = executor.schedule(() -> enter(target), step.hold().toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        closed = true;
        executor.execute(() -> {
            if (next != null) {
                next.cancel(false);
            }
        });
    }
}
