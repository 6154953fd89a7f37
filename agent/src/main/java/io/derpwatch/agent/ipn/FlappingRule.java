package io.derpwatch.agent.ipn;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * {@code derpwatch.flapping}: decides, per subject (a warnable code, or the home connection), whether a change
 * is reported. The first change is always reported at once (no hold-down on detection). When a subject
 * changes more than {@code maxChanges} times within {@code window}, the change that crosses the limit yields
 * one {@link Verdict.Kind#FLAPPING} (with the count in the window), and every further change is
 * {@link Verdict.Kind#SUPPRESSED} until the subject has been stable (no change) for a whole window; the next
 * change after that is reported again. A window of zero turns the rule off (every change reported). Every
 * change counts in {@link Verdict#totalChanges()} whatever the verdict. Time is the injected monotonic clock
 * (nanoseconds, e.g. {@code System::nanoTime} or a test's virtual clock). Not thread-safe: one event loop.
 */
public final class FlappingRule {
    private final int maxChanges;
    private final long windowNanos;
    private final LongSupplier nanoClock;
    private final Map<String, Subject> subjects = new HashMap<>();

    /** What to do with one change. */
    public record Verdict(Kind kind, int changesInWindow, long totalChanges) {
        public enum Kind {
            /** Emit the change event. */
            REPORT,
            /** Emit one {@code ...flapping} event instead of the change; suppression starts. */
            FLAPPING,
            /** Emit nothing (the gauges still show the current state; the counter still counts). */
            SUPPRESSED
        }
    }

    public FlappingRule(int maxChanges, Duration window, LongSupplier nanoClock) {
        if (maxChanges < 1) {
            throw new IllegalArgumentException("flapping max-changes must be at least 1: " + maxChanges);
        }
        if (window.isNegative()) {
            throw new IllegalArgumentException("flapping window must not be negative: " + window);
        }
        this.maxChanges = maxChanges;
        this.windowNanos = window.toNanos();
        this.nanoClock = Objects.requireNonNull(nanoClock);
    }

    /** Records a change of {@code subject} now and says whether to report it. */
    public Verdict onChange(String subject) {
        long now = nanoClock.getAsLong();
        Subject s = subjects.computeIfAbsent(subject, k -> new Subject());
        s.total++;
        if (windowNanos == 0) {
            return new Verdict(Verdict.Kind.REPORT, 1, s.total);
        }
        if (s.suppressed && now - s.lastChange >= windowNanos) {
            s.suppressed = false; // stable for a whole window: report again
            s.changes.clear();
        }
        s.lastChange = now;
        while (!s.changes.isEmpty() && now - s.changes.peekFirst() >= windowNanos) {
            s.changes.removeFirst();
        }
        s.changes.addLast(now);
        int inWindow = s.changes.size();
        if (s.suppressed) {
            return new Verdict(Verdict.Kind.SUPPRESSED, inWindow, s.total);
        }
        if (inWindow > maxChanges) {
            s.suppressed = true;
            return new Verdict(Verdict.Kind.FLAPPING, inWindow, s.total);
        }
        return new Verdict(Verdict.Kind.REPORT, inWindow, s.total);
    }

    /** Whether {@code subject}'s change events are being suppressed now (stable for a window ends it). */
    public boolean suppressed(String subject) {
        Subject s = subjects.get(subject);
        return s != null && s.suppressed && nanoClock.getAsLong() - s.lastChange < windowNanos;
    }

    private static final class Subject {
        private final Deque<Long> changes = new ArrayDeque<>();
        private long lastChange;
        private long total;
        private boolean suppressed;
    }
}
