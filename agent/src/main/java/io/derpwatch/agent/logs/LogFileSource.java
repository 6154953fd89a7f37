package io.derpwatch.agent.logs;

import io.derpwatch.agent.source.PolledSource;
import io.derpwatch.agent.source.SampleContext;
import io.derpwatch.agent.source.SourceError;
import io.derpwatch.agent.source.SourceException;
import io.derpwatch.agent.telemetry.TelemetryNames;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code logs.source = file}: polls a {@link LogFileFollower} on its own file thread (file reads never run on
 * the event loop) and matches each new line against {@link LogSignatures}; yields the matches of the poll. An
 * absent file yields nothing new (the follower waits for it); an unreadable one is a source error.
 */
public final class LogFileSource implements PolledSource<LogSignatureBatch> {
    /** The most bytes read in one poll: a burst is read over several polls. */
    static final int MAX_BYTES_PER_POLL = 1 << 20;

    private final ExecutorService files;
    private final LogFileFollower follower;
    private final LogsSettings settings;
    private final Clock clock;

    public LogFileSource(LogsSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.follower = new LogFileFollower(
                settings.file(),
                settings.fromEnd(),
                settings.maxLineLength(),
                MAX_BYTES_PER_POLL,
                Duration.ofSeconds(2),
                clock);
        this.files = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "derpwatch-log-file");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public String name() {
        return TelemetryNames.SOURCE_LOGS;
    }

    @Override
    public CompletableFuture<LogSignatureBatch> sample(SampleContext context) {
        return CompletableFuture.supplyAsync(
                () -> {
                    List<String> lines;
                    try {
                        lines = follower.poll();
                    } catch (IOException e) {
                        throw new CompletionException(new SourceException(SourceError.of(
                                "io", "cannot read the tailscaled log " + settings.file() + ": " + e.getMessage())));
                    }
                    LogLineParser parser = new LogLineParser(settings.zone(), clock.instant());
                    List<LogMatch> matches = new ArrayList<>();
                    for (String line : lines) {
                        LogSignatures.match(parser.parse(line)).ifPresent(matches::add);
                    }
                    return new LogSignatureBatch(matches, context.clock().wallTime());
                },
                files);
    }

    @Override
    public void close() {
        files.shutdownNow();
        try {
            follower.close();
        } catch (IOException e) {
            // closing a read-only file: nothing is lost
        }
    }
}
