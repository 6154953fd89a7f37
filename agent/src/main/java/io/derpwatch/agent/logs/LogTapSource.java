package io.derpwatch.agent.logs;

import com.fasterxml.jackson.databind.JsonNode;
import io.derpwatch.agent.json.JsonTreeReader;
import io.derpwatch.agent.localapi.LocalApiClient;
import io.derpwatch.agent.localapi.LocalApiException;
import io.derpwatch.agent.localapi.LocalApiPaths;
import io.derpwatch.agent.localapi.LocalApiStream;
import io.derpwatch.agent.source.ReconnectSchedule;
import io.derpwatch.agent.source.SourceError;
import io.derpwatch.agent.source.SourceException;
import io.derpwatch.agent.source.StreamConnection;
import io.derpwatch.agent.source.StreamContext;
import io.derpwatch.agent.source.StreamingSource;
import io.derpwatch.agent.telemetry.TelemetryNames;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * {@code logs.source = logtap}: reads {@code /localapi/v0/logtap}, tailscaled's own log lines as they are written
 * (docs/localapi.md#logtap), one JSON record per line ({@code {"logtail":{"client_time":...},"text":"...\n"}}),
 * through the LocalAPI client's record stream, and matches each record's text against {@link LogSignatures},
 * publishing every match as a {@link LogSignatureBatch}: the same events as the file and journald sources. The
 * record's {@code client_time} is the line's time. A record over {@code logtap-max-record-size} is skipped (never
 * held) and a record that is not a JSON object is skipped; both are counted source errors ({@code bad_record})
 * and the stream reads on. tailscaled answers 403 to a client without write permission: the source error
 * {@code logtap_forbidden} says what to do and the runner asks again at its backoff (the error throttle reports a
 * repeat once per interval, not per attempt); a daemon without the endpoint (404) is {@code logtap_absent}.
 */
public final class LogTapSource implements StreamingSource<byte[]> {
    static final String FORBIDDEN = "logtap_forbidden";
    static final String ABSENT = "logtap_absent";
    static final String BAD_RECORD = "bad_record";
    /** tailscaled's first record on every tap. */
    static final String CONNECTED = "[logtap connected]";

    /** Stands for a record the transport skipped as over the cap (compared by identity). */
    private static final byte[] OVERSIZED = new byte[0];

    private final LocalApiClient client;
    private final LogsSettings settings;
    private final Consumer<LogSignatureBatch> publish;
    private final Clock clock;
    private final JsonTreeReader json = new JsonTreeReader();

    public LogTapSource(
            LocalApiClient client, LogsSettings settings, Consumer<LogSignatureBatch> publish, Clock clock) {
        this.client = client;
        this.settings = settings;
        this.publish = publish;
        this.clock = clock;
    }

    /** {@code logtap-backoff} doubling to {@code logtap-max-backoff}, the head bounded by {@code bound}. */
    public static ReconnectSchedule schedule(LogsSettings settings, Duration bound) {
        return new ReconnectSchedule(
                settings.logtap().backoff(), settings.logtap().maxBackoff(), bound);
    }

    @Override
    public String name() {
        return TelemetryNames.SOURCE_LOGS;
    }

    @Override
    public StreamConnection connect(StreamContext context, Consumer<byte[]> records) {
        LocalApiStream s = client.stream(
                LocalApiPaths.LOGTAP, settings.logtap().maxRecordSize(), records, () -> records.accept(OVERSIZED));
        return StreamConnection.of(s.opened(), s.ended(), s::close, this::describe);
    }

    private @Nullable SourceError describe(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (!(cause instanceof LocalApiException e)) {
            return null;
        }
        if (e.kind() == LocalApiException.Kind.HTTP_STATUS && e.httpStatus() == 403) {
            return SourceError.of(
                    FORBIDDEN,
                    "tailscaled refused " + LocalApiPaths.LOGTAP + " on " + e.socket()
                            + " (403: it needs LocalAPI write permission): run derpwatch as root or as tailscaled's"
                            + " operator (tailscale set --operator=USER), or set derpwatch.logs.source to file or"
                            + " journald; asked again at derpwatch.logs.logtap-backoff");
        }
        if (e.kind() == LocalApiException.Kind.HTTP_STATUS && e.httpStatus() == 404) {
            return SourceError.of(
                    ABSENT,
                    "tailscaled on " + e.socket() + " has no " + LocalApiPaths.LOGTAP
                            + " (before 1.36, or built without logtail): set derpwatch.logs.source to file or"
                            + " journald");
        }
        return e.sourceError(LocalApiPaths.LOGTAP);
    }

    @Override
    public void handle(byte[] record, StreamContext context) throws SourceException {
        if (record == OVERSIZED) {
            throw new SourceException(SourceError.of(
                    BAD_RECORD,
                    "a logtap record over derpwatch.logs.logtap-max-record-size ("
                            + settings.logtap().maxRecordSize() + " bytes) was skipped"));
        }
        List<LogLine> lines = lines(record);
        List<LogMatch> matches = new ArrayList<>(1);
        for (LogLine line : lines) {
            LogSignatures.match(line).ifPresent(matches::add);
        }
        if (!matches.isEmpty()) {
            publish.accept(new LogSignatureBatch(matches, context.clock().wallTime()));
        }
    }

    /**
     * The log lines of one record: its {@code text} split at newlines (usually one line), each timed by the
     * record's {@code logtail.client_time} unless the text carries a timestamp prefix of its own. A record
     * without text (a structured JSON log entry) has none.
     */
    List<LogLine> lines(byte[] record) throws SourceException {
        JsonNode n;
        try {
            n = json.read(record);
        } catch (IOException e) {
            String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                    ? j.getOriginalMessage()
                    : e.getMessage();
            throw badRecord("not JSON (" + why + ")");
        }
        if (!n.isObject()) {
            throw badRecord("not a JSON object");
        }
        JsonNode text = n.path("text");
        if (text.isMissingNode() || text.isNull()) {
            return List.of();
        }
        if (!text.isTextual()) {
            throw badRecord("\"text\" is not a string");
        }
        Instant time = clientTime(n.path("logtail").path("client_time"));
        LogLineParser parser = new LogLineParser(settings.zone(), clock.instant());
        List<LogLine> lines = new ArrayList<>(1);
        for (String raw : text.asText().split("\n", -1)) {
            String cut = raw.length() > settings.maxLineLength() ? raw.substring(0, settings.maxLineLength()) : raw;
            if (cut.isBlank() || cut.strip().equals(CONNECTED)) {
                continue;
            }
            LogLine parsed = parser.parse(cut.stripTrailing());
            lines.add(parsed.time() != null ? parsed : new LogLine(time, parsed.message(), parsed.raw()));
        }
        return lines;
    }

    private static @Nullable Instant clientTime(JsonNode value) {
        if (!value.isTextual()) {
            return null;
        }
        try {
            return Instant.parse(value.asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static SourceException badRecord(String why) {
        return new SourceException(SourceError.of(BAD_RECORD, "a logtap record was skipped: " + why));
    }
}
