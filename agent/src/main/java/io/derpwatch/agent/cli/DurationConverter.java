package io.derpwatch.agent.cli;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import picocli.CommandLine;

/** Parses durations the way the config does ({@code 500ms}, {@code 8s}, {@code 2m}). */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            Duration d = ConfigFactory.parseString("d = \"" + value.replace("\"", "") + "\"")
                    .getDuration("d");
            if (d.isNegative() || d.isZero()) {
                throw new CommandLine.TypeConversionException("must be positive: " + value);
            }
            return d;
        } catch (com.typesafe.config.ConfigException e) {
            throw new CommandLine.TypeConversionException("not a duration such as 8s or 500ms: " + value);
        }
    }
}
