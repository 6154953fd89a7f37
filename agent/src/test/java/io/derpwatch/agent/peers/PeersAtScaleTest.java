package io.derpwatch.agent.peers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.derpwatch.lab.LabPeers;
import io.derpwatch.lab.LocalApiEmulator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 10 000-peer tailnet through the whole agent, with the launcher's heap: {@code derpwatch run --once} in a
 * child JVM started with the flags of the {@code derpwatch} script as they are (-Xmx48m, a 1 MiB young generation,
 * 16 MiB of direct memory, unpooled buffers, C1 for the burst-hot code only), against the lab serving a generated
 * ~15 MB status document, read back from the stdout sink (every line of which must be OTLP JSON: a JVM message
 * there fails the parse). The peers source parses the body as it arrives, so nothing the document's size is held.
 */
class PeersAtScaleTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DEFAULT_OPTS = Pattern.compile("default_opts=\"([^\"]*)\"", Pattern.DOTALL);

    @TempDir
    Path dir;

    /** The JVM flags the launcher uses, read from the script so the test follows it. */
    private static List<String> launcherFlags() throws Exception {
        String script = Files.readString(Path.of("..", "derpwatch"));
        Matcher m = DEFAULT_OPTS.matcher(script);
        assertThat(m.find()).as("default_opts in the derpwatch script").isTrue();
        List<String> flags = new ArrayList<>(Arrays.asList(m.group(1).trim().split("\\s+")));
        assertThat(flags).contains("-Xmx48m", "-XX:MaxDirectMemorySize=16m");
        return flags;
    }

    @Test
    void a10000PeerStatus_isCountedByTheAgent_withinTheLaunchersHeap() throws Exception {
        byte[] status = LabPeers.status(new LabPeers.Mix(2500, 5000, 500, 2000, 9000));
        assertThat(status.length)
                .as("about 1.5 KB a peer, as tailscaled writes it")
                .isGreaterThan(10_000 * 1200);
        try (LocalApiEmulator lab = LocalApiEmulator.start(dir.resolve("tailscaled.sock"))) {
            lab.serveStatusWithPeersDocument(status);
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            // the launcher's flags as they are: its selective C1 compiles the parse, so one 10 000-peer read costs
            // well under a second of CPU (it was ~12 s under -Xint, when this test swapped in C1)
            command.addAll(launcherFlags());
            command.add("-Dderpwatch.localapi.socket=" + lab.socket());
            command.add("-Dderpwatch.netcheck.enabled=false");
            command.add("-Dderpwatch.admin.port=0");
            command.add("-Dderpwatch.admin.host=127.0.0.1");
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add("io.derpwatch.agent.cli.Main");
            command.add("run");
            command.add("--once");
            Path err = dir.resolve("stderr.txt");
            Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            p.getInputStream().transferTo(out);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String stderr = Files.readString(err);

            assertThat(p.exitValue()).as(stderr).isZero();
            assertThat(stderr).doesNotContain("OutOfMemoryError", "body_too_large");
            Map<String, Long> byPath = new HashMap<>();
            long online = -1;
            for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                for (JsonNode metric : JSON.readTree(line).findValues("metrics")) {
                    for (JsonNode m : metric) {
                        String name = m.path("name").asText();
                        for (JsonNode point : m.path("gauge").path("dataPoints")) {
                            long v = point.path("asInt").asLong();
                            if (name.equals("tailscale.peers")) {
                                for (JsonNode a : point.path("attributes")) {
                                    if (a.path("key").asText().equals("tailscale.peer.path")) {
                                        byPath.put(
                                                a.path("value")
                                                        .path("stringValue")
                                                        .asText(),
                                                v);
                                    }
                                }
                            } else if (name.equals("tailscale.peers.online")) {
                                online = v;
                            }
                        }
                    }
                }
            }
            assertThat(byPath)
                    .as(stderr)
                    .containsExactlyInAnyOrderEntriesOf(
                            Map.of("direct", 2500L, "derp", 5000L, "peer_relay", 500L, "idle", 2000L));
            assertThat(online).isEqualTo(9000);
        }
    }
}
