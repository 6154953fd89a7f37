package io.derpwatch.agent.source;

/** What the runner offers one connection of a streaming source: error reporting and the clock. */
public interface StreamContext {

    /** Reports a problem met while handling a record that still yielded something (counted, throttled). */
    void error(SourceError error);

    AgentClock clock();
}
