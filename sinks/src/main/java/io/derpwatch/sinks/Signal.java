package io.derpwatch.sinks;

/** The two kinds of batch the agent exports. */
public enum Signal {
    METRICS,
    LOGS
}
