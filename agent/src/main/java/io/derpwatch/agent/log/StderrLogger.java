package io.derpwatch.agent.log;

import org.jspecify.annotations.Nullable;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** One named logger; the level check reads {@link StderrLogging} at every call, so a level change applies at once. */
final class StderrLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;
    private final boolean thirdParty;

    StderrLogger(String name) {
        this.name = name;
        this.thirdParty = StderrLogging.thirdParty(name);
    }

    private boolean on(Level level) {
        return StderrLogging.enabled(name, thirdParty, level);
    }

    @Override
    public boolean isTraceEnabled() {
        return on(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
        return on(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return on(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return on(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        return on(Level.ERROR);
    }

    @Override
    protected @Nullable String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
            Level level,
            @Nullable Marker marker,
            @Nullable String pattern,
            @Nullable Object[] arguments,
            @Nullable Throwable throwable) {
        String message = MessageFormatter.basicArrayFormat(pattern, arguments);
        StderrLogging.writer().write(level, name, thirdParty, pattern, message == null ? "null" : message, throwable);
    }
}
