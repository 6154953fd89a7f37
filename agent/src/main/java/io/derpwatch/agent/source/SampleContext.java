package io.derpwatch.agent.source;

/** What the runner offers one sample: error reporting (counted, throttled, an event) and the clock. */
public interface SampleContext {

    /** Reports a problem met during this sample; the sample may still yield an observation. */
    void error(SourceError error);

    AgentClock clock();
}
