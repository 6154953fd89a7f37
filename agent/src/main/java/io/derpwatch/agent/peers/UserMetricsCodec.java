package io.derpwatch.agent.peers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the Prometheus text exposition format (0.0.4) that {@code /localapi/v0/usermetrics} serves into
 * points. A small parser rather than a library: the Prometheus Java client served here (1.10.0) writes the
 * format but does not read it. Comments other than {@code # TYPE} and {@code # HELP} are skipped; a sample
 * line that does not parse is counted in {@link Result#rejected()} with the first problem, never fatal, so one
 * odd line loses nothing else.
 */
public final class UserMetricsCodec {
    /** The points, and how many lines could not be read (with the first such problem). */
    public record Result(List<UserMetricPoint> points, int rejected, String firstProblem) {
        public Result {
            points = List.copyOf(points);
        }
    }

    public Result parse(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        Map<String, String> types = new HashMap<>();
        Map<String, String> helps = new HashMap<>();
        List<UserMetricPoint> points = new ArrayList<>();
        int rejected = 0;
        String first = "";
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                String[] parts = line.split("\\s+", 4);
                if (parts.length >= 4 && parts[1].equals("TYPE")) {
                    types.put(parts[2], parts[3].trim());
                } else if (parts.length >= 3 && parts[1].equals("HELP")) {
                    helps.put(parts[2], parts.length == 4 ? parts[3] : "");
                }
                continue;
            }
            try {
                points.add(sample(line, types, helps));
            } catch (IllegalArgumentException e) {
                rejected++;
                if (first.isEmpty()) {
                    first = "line " + lineNo + ": " + e.getMessage();
                }
            }
        }
        // TYPE lines may follow samples only in broken writers; re-type from the final table
        List<UserMetricPoint> typed = new ArrayList<>(points.size());
        for (UserMetricPoint p : points) {
            typed.add(new UserMetricPoint(
                    p.name(),
                    types.getOrDefault(family(p.name(), types), "untyped"),
                    helps.getOrDefault(p.name(), p.help()),
                    p.labels(),
                    p.value()));
        }
        return new Result(typed, rejected, first);
    }

    private static String family(String name, Map<String, String> types) {
        if (types.containsKey(name)) {
            return name;
        }
        for (String suffix : List.of("_total", "_count", "_sum", "_bucket")) {
            if (name.endsWith(suffix) && types.containsKey(name.substring(0, name.length() - suffix.length()))) {
                return name.substring(0, name.length() - suffix.length());
            }
        }
        return name;
    }

    private static UserMetricPoint sample(String line, Map<String, String> types, Map<String, String> helps) {
        int i = 0;
        while (i < line.length() && isNameChar(line.charAt(i), i == 0)) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("no metric name: " + excerpt(line));
        }
        String name = line.substring(0, i);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (true) {
                while (i < line.length() && line.charAt(i) == ' ') {
                    i++;
                }
                if (i < line.length() && line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int start = i;
                while (i < line.length() && isNameChar(line.charAt(i), i == start)) {
                    i++;
                }
                if (i == start || i + 1 >= line.length() || line.charAt(i) != '=' || line.charAt(i + 1) != '"') {
                    throw new IllegalArgumentException("bad label in " + excerpt(line));
                }
                String label = line.substring(start, i);
                i += 2;
                StringBuilder v = new StringBuilder();
                while (i < line.length() && line.charAt(i) != '"') {
                    char c = line.charAt(i);
                    if (c == '\\' && i + 1 < line.length()) {
                        char n = line.charAt(++i);
                        v.append(n == 'n' ? '\n' : n);
                    } else {
                        v.append(c);
                    }
                    i++;
                }
                if (i >= line.length()) {
                    throw new IllegalArgumentException("unterminated label value in " + excerpt(line));
                }
                i++;
                labels.put(label, v.toString());
                if (i < line.length() && line.charAt(i) == ',') {
                    i++;
                }
            }
        }
        String[] rest = line.substring(i).trim().split("\\s+");
        if (rest.length == 0 || rest[0].isEmpty()) {
            throw new IllegalArgumentException("no value: " + excerpt(line));
        }
        double value;
        try {
            value = switch (rest[0]) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                case "NaN" -> Double.NaN;
                default -> Double.parseDouble(rest[0]);
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("value is not a number: " + excerpt(line));
        }
        return new UserMetricPoint(
                name, types.getOrDefault(name, "untyped"), helps.getOrDefault(name, ""), labels, value);
    }

    private static boolean isNameChar(char c, boolean first) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || c == '_'
                || c == ':'
                || (!first && c >= '0' && c <= '9');
    }

    private static String excerpt(String line) {
        return line.length() > 80 ? line.substring(0, 80) + "..." : line;
    }
}
