package io.derpwatch.agent.source;

import io.netty.channel.EventLoop;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a runner's tasks on its event loop (at once when already on it), handing any {@link Throwable} a task
 * throws to the runner's crash handler instead of the loop. A loop that is gone runs nothing and says so at debug.
 */
final class GuardedLoop {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedLoop.class);

    private final EventLoop loop;
    private final String name;
    private final Consumer<Throwable> crashed;

    GuardedLoop(EventLoop loop, String name, Consumer<Throwable> crashed) {
        this.loop = loop;
        this.name = name;
        this.crashed = crashed;
    }

    void run(Runnable task) {
        Runnable guarded = () -> {
            try {
                task.run();
            } catch (Throwable t) {
                crashed.accept(t);
            }
        };
        if (loop.inEventLoop()) {
            guarded.run();
            return;
        }
        try {
            loop.execute(guarded);
        } catch (RuntimeException e) {
            LOG.debug("source {}: event loop gone", name, e);
        }
    }
}
