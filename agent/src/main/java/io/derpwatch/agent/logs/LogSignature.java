package io.derpwatch.agent.logs;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One row of the signature table: an id, the pattern a tailscaled log message must contain, a severity, the
 * attributes it extracts (by name) and what the line means.
 *
 * @param id         the {@code tailscale.log.signature} attribute value
 * @param pattern    found anywhere in the message (the line without its timestamp prefix)
 * @param attributes the attribute names {@link #extractor()} may fill, in order (for the docs and tests)
 * @param meaning    one sentence for people: what it means, what to do
 */
public record LogSignature(
        String id,
        LogSeverity severity,
        Pattern pattern,
        List<String> attributes,
        Extractor extractor,
        String meaning) {

    public LogSignature {
        attributes = List.copyOf(attributes);
    }

    /** Reads the attributes out of a successful match. */
    @FunctionalInterface
    public interface Extractor {
        Map<String, Object> extract(Matcher matched);
    }
}
