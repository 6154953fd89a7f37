package io.derpwatch.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.SettingsLoader;
import io.derpwatch.lab.LocalApiEmulator;
import io.derpwatch.sinks.SinkContext;
import io.derpwatch.sinks.runtime.SinkCatalog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The whole agent, continuous, against a lab LocalAPI, with its stdout sink's OTLP JSON lines in memory: what
 * {@code derpwatch run} would print, read back by metric and event name. Quick export and event flush.
 */
final class LabAgent implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final Agent agent;

    LabAgent(LocalApiEmulator lab, Map<String, String> overrides) throws Exception {
        this(lab, overrides, Agent.Mode.CONTINUOUS);
    }

    LabAgent(LocalApiEmulator lab, Map<String, String> overrides, Agent.Mode mode) throws Exception {
        Properties props = new Properties();
        props.setProperty("derpwatch.localapi.socket", lab.socket().toString());
        props.setProperty("derpwatch.netcheck.enabled", "false");
        props.setProperty("derpwatch.peers.enabled", "false");
        props.setProperty("derpwatch.admin.port", "0");
        props.setProperty("derpwatch.admin.host", "127.0.0.1");
        props.setProperty("derpwatch.telemetry.export-interval", "300ms");
        props.setProperty("derpwatch.telemetry.event-flush-interval", "100ms");
        overrides.forEach(props::setProperty);
        List<SinkCatalog.ConfiguredSink> sinks = new ArrayList<>();
        SinkCatalog catalog = SinkCatalog.load();
        DerpwatchSettings settings = SettingsLoader.with(Map.of(), props)
                .load(null, (all, problems) -> sinks.addAll(catalog.configure(all, problems)));
        agent = Agent.start(
                settings,
                sinks,
                new SinkContext(new PrintStream(stdout, true, StandardCharsets.UTF_8)),
                mode,
                Map.of("HOSTNAME", "node-under-test"));
    }

    Agent agent() {
        return agent;
    }

    List<JsonNode> lines() {
        List<JsonNode> out = new ArrayList<>();
        for (String line : stdout.toString(StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                out.add(JSON.readTree(line));
            } catch (Exception e) {
                // a line still being written
            }
        }
        return out;
    }

    /** The data points of {@code metric} in the last export that has it. */
    List<JsonNode> lastPoints(String metric) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode line : lines()) {
            List<JsonNode> here = new ArrayList<>();
            for (JsonNode m : line.findValues("metrics")) {
                for (JsonNode metricNode : m) {
                    if (metricNode.path("name").asText().equals(metric)) {
                        metricNode.path("gauge").path("dataPoints").forEach(here::add);
                    }
                }
            }
            if (!here.isEmpty()) {
                out = here;
            }
        }
        return out;
    }

    /** The attributes of every {@code eventName} event, oldest first. */
    List<Map<String, String>> events(String eventName) {
        List<Map<String, String>> out = new ArrayList<>();
        for (JsonNode line : lines()) {
            for (JsonNode records : line.findValues("logRecords")) {
                for (JsonNode r : records) {
                    if (r.path("eventName").asText().equals(eventName)) {
                        out.add(attributes(r));
                    }
                }
            }
        }
        return out;
    }

    /** Attributes as strings, whatever their OTLP value type. */
    static Map<String, String> attributes(JsonNode withAttributes) {
        Map<String, String> out = new HashMap<>();
        for (JsonNode a : withAttributes.path("attributes")) {
            JsonNode v = a.path("value");
            out.put(
                    a.path("key").asText(),
                    v.elements().hasNext() ? v.elements().next().asText() : "");
        }
        return out;
    }

    @Override
    public void close() {
        agent.close();
    }
}
