package io.derpwatch.agent.cli;

/** Process exit codes, documented in {@code derpwatch --help}. */
final class ExitCodes {
    private ExitCodes() {}

    static final int OK = 0;
    /** A one-shot run or check failed (a sink did not deliver, no region answered, tailscaled unreachable). */
    static final int FAILED = 1;
    /** The configuration or the command line is invalid; nothing was started. */
    static final int USAGE = 2;
}
