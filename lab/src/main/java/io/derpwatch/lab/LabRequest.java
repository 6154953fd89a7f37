package io.derpwatch.lab;

import java.util.List;
import java.util.Map;

/** One request the emulator received, as it arrived (for tests that check what the client sends). */
public record LabRequest(String method, String uri, String protocol, Map<String, List<String>> headers) {
    public LabRequest {
        headers = Map.copyOf(headers);
    }

    /** The values of a header, matched case-insensitively; empty when absent. */
    public List<String> header(String name) {
        return headers.entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name))
                .findFirst()
                .map(Map.Entry::getValue)
                .orElse(List.of());
    }
}
