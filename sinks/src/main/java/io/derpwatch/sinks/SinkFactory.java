package io.derpwatch.sinks;

/** A validated sink configuration, ready to be opened. */
@FunctionalInterface
public interface SinkFactory {
    Sink open(SinkContext context);
}
