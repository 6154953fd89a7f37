package io.derpwatch.sinks;

import java.io.PrintStream;

/**
 * What the agent hands to every sink it opens.
 *
 * @param stdout where the stdout sink writes (the process's standard output, or a capture in tests)
 */
public record SinkContext(PrintStream stdout) {
    public static SinkContext forProcess() {
        return new SinkContext(System.out);
    }
}
