package io.derpwatch.agent.logs;

import io.derpwatch.agent.source.SourceError;
import io.derpwatch.agent.source.StreamConnection;
import io.derpwatch.agent.source.StreamContext;
import io.derpwatch.agent.source.StreamingSource;
import io.derpwatch.agent.telemetry.TelemetryNames;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * {@code logs.source = journald}: runs {@code journalctl -u <unit> -f -o cat} as a child process and matches each
 * line it prints against {@link LogSignatures}, publishing every match as a {@link LogSignatureBatch}. The
 * process's output is read on its own thread (never the event loop). When journalctl exits the stream has
 * ended and the {@code StreamingSourceRunner} starts it again after its backoff; a journalctl that cannot be
 * started (not installed, not executable) is the source error {@code journalctl_missing}, reported and
 * retried the same way, never a crash. Lines of {@code -o cat} carry no timestamp: their events are timed when
 * read. Lines longer than {@code max-line-length} are cut.
 */
public final class JournaldSource implements StreamingSource<String> {
    static final String MISSING = "journalctl_missing";
    static final String FAILED = "journalctl_failed";

    private final LogsSettings settings;
    private final Consumer<LogSignatureBatch> publish;
    private final Clock clock;
    private @Nullable Process process;

    public JournaldSource(LogsSettings settings, Consumer<LogSignatureBatch> publish, Clock clock) {
        this.settings = settings;
        this.publish = publish;
        this.clock = clock;
    }

    @Override
    public String name() {
        return TelemetryNames.SOURCE_LOGS;
    }

    @Override
    public StreamConnection connect(StreamContext context, Consumer<String> records) {
        CompletableFuture<Void> opened = new CompletableFuture<>();
        CompletableFuture<Void> ended = new CompletableFuture<>();
        List<String> command = settings.journald().commandLine();
        Thread reader = new Thread(() -> run(command, records, opened, ended), "derpwatch-journald");
        reader.setDaemon(true);
        reader.start();
        return StreamConnection.of(opened, ended, this::stop, failure -> describe(command, failure));
    }

    private void run(
            List<String> command,
            Consumer<String> records,
            CompletableFuture<Void> opened,
            CompletableFuture<Void> ended) {
        Process p;
        try {
            p = new ProcessBuilder(command)
                    .redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            Missing missing = new Missing(command.get(0) + " could not be started (" + e.getMessage()
                    + "): install systemd's journalctl or set derpwatch.logs.journald-command");
            opened.completeExceptionally(missing);
            ended.completeExceptionally(missing);
            return;
        }
        synchronized (this) {
            process = p;
        }
        opened.complete(null);
        try (Reader in = new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)) {
            readLines(in, settings.maxLineLength(), records);
            int exit = p.waitFor();
            if (exit == 0 || exit == 143) { // 143: stopped with SIGTERM (close)
                ended.complete(null);
            } else {
                ended.completeExceptionally(new Exited(command.get(0) + " exited with status " + exit));
            }
        } catch (IOException e) {
            ended.completeExceptionally(new Exited("reading " + command.get(0) + " failed: " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ended.complete(null);
        } finally {
            p.destroy();
        }
    }

    /** Reads lines, each cut at {@code max} chars (the rest of a long line is skipped). */
    static void readLines(Reader in, int max, Consumer<String> records) throws IOException {
        StringBuilder line = new StringBuilder();
        char[] buf = new char[8192];
        int n;
        while ((n = in.read(buf)) >= 0) {
            for (int i = 0; i < n; i++) {
                char c = buf[i];
                if (c == '\n') {
                    records.accept(line.toString());
                    line.setLength(0);
                } else if (line.length() < max && c != '\r') {
                    line.append(c);
                }
            }
        }
        if (!line.isEmpty()) {
            records.accept(line.toString());
        }
    }

    private static @Nullable SourceError describe(List<String> command, Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause()
                : failure;
        if (cause instanceof Missing m) {
            return SourceError.of(MISSING, m.getMessage());
        }
        if (cause instanceof Exited x) {
            return SourceError.of(FAILED, x.getMessage() + " (" + String.join(" ", command) + ")");
        }
        return null;
    }

    @Override
    public void handle(String line, StreamContext context) {
        LogLineParser parser = new LogLineParser(settings.zone(), clock.instant());
        LogSignatures.match(parser.parse(line))
                .ifPresent(m -> publish.accept(
                        new LogSignatureBatch(List.of(m), context.clock().wallTime())));
    }

    private synchronized void stop() {
        if (process != null) {
            process.destroy();
            process = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** journalctl could not be started. */
    private static final class Missing extends Exception {
        Missing(String message) {
            super(message, null, false, false);
        }
    }

    /** journalctl ended badly. */
    private static final class Exited extends Exception {
        Exited(String message) {
            super(message, null, false, false);
        }
    }
}
