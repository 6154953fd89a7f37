package io.derpwatch.agent.log;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.event.Level;

/**
 * What the agent's log lines look like and which get written; changeable at run time (the CLI applies
 * {@code --log-level}/{@code --log-format}, then the config's {@code derpwatch.log}).
 *
 * <p>Third-party libraries (Netty, gRPC, kafka-clients, the OpenTelemetry SDK) never log below WARN, and their
 * repeated lines are throttled: the first line of each kind (logger and message pattern) is written, the same kind
 * again only after {@link #THIRD_PARTY_REPEAT} with the number suppressed in between — during a backend outage the
 * sink says what is wrong once, not the client library forty times.
 */
public final class StderrLogging {
    /** How long a repeated third-party line of one kind stays suppressed. */
    public static final Duration THIRD_PARTY_REPEAT = Duration.ofMinutes(5);

    /** Logger-name prefixes of the libraries whose lines are capped at WARN and throttled. */
    static final List<String> THIRD_PARTY = List.of("io.netty", "io.grpc", "org.apache.kafka", "io.opentelemetry");

    private static volatile Level level = Level.INFO;
    private static volatile LogFormat format = LogFormat.TEXT;
    /** Set once the command line or the environment chose a level/format: the config file then does not override it. */
    private static volatile boolean levelChosen;

    private static volatile boolean formatChosen;
    private static volatile LineWriter writer = new LineWriter(System.err, Clock.systemUTC());

    private StderrLogging() {}

    /** Sets the level of the agent's own loggers (third-party ones stay at WARN or above). */
    public static void level(Level newLevel) {
        level = newLevel;
    }

    public static Level level() {
        return level;
    }

    public static void format(LogFormat newFormat) {
        format = newFormat;
    }

    public static LogFormat format() {
        return format;
    }

    /** A level chosen on the command line or in the environment: the config file's {@code derpwatch.log.level} then yields. */
    public static void chooseLevel(Level chosen) {
        level = chosen;
        levelChosen = true;
    }

    /** A format chosen on the command line or in the environment. */
    public static void chooseFormat(LogFormat chosen) {
        format = chosen;
        formatChosen = true;
    }

    /** The config file's {@code derpwatch.log}: applied where neither the command line nor the environment chose. */
    public static void configure(Level configured, LogFormat configuredFormat) {
        if (!levelChosen) {
            level = configured;
        }
        if (!formatChosen) {
            format = configuredFormat;
        }
    }

    /** Applies {@code DERPWATCH_LOG_LEVEL} and {@code DERPWATCH_LOG_FORMAT} when set; a bad value is reported and ignored. */
    public static void applyEnvironment(java.util.Map<String, String> env) {
        String l = env.get("DERPWATCH_LOG_LEVEL");
        String f = env.get("DERPWATCH_LOG_FORMAT");
        try {
            if (l != null && !l.isBlank()) {
                chooseLevel(LogLevel.parse(l));
            }
            if (f != null && !f.isBlank()) {
                chooseFormat(LogFormat.parse(f));
            }
        } catch (IllegalArgumentException e) {
            System.err.println("derpwatch: DERPWATCH_LOG_*: " + e.getMessage() + "; ignored");
        }
    }

    /** Errors only, unless a level was chosen on the command line or in the environment (one-shot summaries). */
    public static void quietUnlessChosen() {
        if (!levelChosen) {
            level = Level.ERROR;
        }
    }

    /** For tests: back to the defaults, nothing chosen. */
    static void reset() {
        level = Level.INFO;
        format = LogFormat.TEXT;
        levelChosen = false;
        formatChosen = false;
    }

    /** For tests: where lines go and which clock stamps them. */
    static void redirect(PrintStream out, Clock clock) {
        writer = new LineWriter(out, clock);
    }

    static LineWriter writer() {
        return writer;
    }

    static boolean thirdParty(String loggerName) {
        for (String prefix : THIRD_PARTY) {
            if (loggerName.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    static boolean enabled(String loggerName, boolean thirdParty, Level at) {
        Level floor = thirdParty && level.toInt() < Level.WARN.toInt() ? Level.WARN : level;
        return at.toInt() >= floor.toInt();
    }
}
