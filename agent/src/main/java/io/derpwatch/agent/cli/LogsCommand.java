package io.derpwatch.agent.cli;

import io.derpwatch.agent.logs.LogLineParser;
import io.derpwatch.agent.logs.LogMatch;
import io.derpwatch.agent.logs.LogMatchFormats;
import io.derpwatch.agent.logs.LogSignatures;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "logs",
        mixinStandardHelpOptions = true,
        description = {
            "Read a tailscaled log (a file, or - for stdin) and print one line per line that matches a known",
            "signature (DERP home changes, DERP connects and errors, health, logged out, netcheck, ipn state).",
            "Exit 0 when the log was read (matches or not), 1 when it could not be read."
        })
final class LogsCommand implements Callable<Integer> {

    enum Format {
        text,
        json
    }

    @Parameters(index = "0", paramLabel = "FILE|-", description = "The log file, or - for standard input.")
    String file;

    @Option(
            names = "--format",
            paramLabel = "json|text",
            defaultValue = "text",
            description = "Output format. Default: ${DEFAULT-VALUE}.")
    Format format;

    @Option(
            names = "--zone",
            paramLabel = "ZONE",
            description = "Time zone of timestamps without an offset (2022/03/28 07:42:19). Default: this machine's.")
    String zone;

    @Spec
    CommandSpec spec;

    private final Clock clock;

    LogsCommand() {
        this(Clock.systemUTC());
    }

    LogsCommand(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ZoneId zoneId;
        try {
            zoneId = zone == null ? ZoneId.systemDefault() : ZoneId.of(zone);
        } catch (DateTimeException e) {
            err.println("derpwatch logs: --zone " + zone + ": " + e.getMessage());
            err.flush();
            return ExitCodes.USAGE;
        }
        LogLineParser parser = new LogLineParser(zoneId, clock.instant());
        try (InputStream in = file.equals("-") ? System.in : Files.newInputStream(Path.of(file));
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            long number = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                number++;
                Optional<LogMatch> m = LogSignatures.match(parser.parse(line));
                if (m.isPresent()) {
                    out.println(
                            format == Format.json
                                    ? LogMatchFormats.json(number, m.get())
                                    : LogMatchFormats.text(number, m.get()));
                }
            }
            out.flush();
            return ExitCodes.OK;
        } catch (NoSuchFileException e) {
            err.println("derpwatch logs: no such file: " + file);
        } catch (IOException e) {
            err.println("derpwatch logs: cannot read " + file + ": " + e);
        }
        err.flush();
        return ExitCodes.FAILED;
    }
}
