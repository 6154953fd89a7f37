package io.derpwatch.agent.source;

/** A sample that yielded nothing, for a reason the source knows; the runner reports {@link #error()}. */
public final class SourceException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient SourceError error;

    public SourceException(SourceError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    public SourceError error() {
        return error;
    }
}
