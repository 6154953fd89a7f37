package io.derpwatch.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.derpwatch.lab.LocalApiEmulator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flood on the admin port cannot stall sampling: 10 000 connections opened, held and reset all at once, while
 * the agent polls the lab every 200 ms (with the default 5 s LocalAPI timeout). On one shared loop this stalled the
 * loop for seconds, timed the LocalAPI read out and sent a false {@code home_connection 1 -> 0 (localapi_unreachable)}.
 */
class AdminFloodProcessTest {
    private static final int CONNECTIONS = 10_000;
    private static final int WAVE = 10_000;

    @TempDir
    Path dir;

    private LocalApiEmulator lab;

    @BeforeEach
    void startLab() {
        lab = LocalApiEmulator.start(dir.resolve("tailscaled.sock"));
    }

    @AfterEach
    void stopLab() {
        lab.close();
    }

    @Test
    void connectionFlood_onTheAdminPort_sendsNoFalseEvent_andHealthzKeepsAnswering() throws Exception {
        try (AgentProcess agent = AgentProcess.run(
                dir,
                "derpwatch {\n"
                        + "  localapi.socket = \"" + lab.socket() + "\"\n"
                        + "  netcheck.enabled = false\n"
                        + "  admin { host = \"127.0.0.1\", port = 0 }\n"
                        + "  status.interval = 200ms\n"
                        + "  telemetry.event-flush-interval = 200ms\n"
                        + "  sinks.stdout.format = text\n"
                        + "}\n",
                AgentProcess.launcherFlags())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> agent.stdout().contains("(connected)"));
            int connectedAt = agent.stdout().indexOf("(connected)");
            int port = agent.adminPort();
            assertThat(port).isPositive();
            HttpClient http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            URI healthz = URI.create("http://127.0.0.1:" + port + "/healthz");

            AtomicBoolean flooding = new AtomicBoolean(true);
            AtomicInteger answered = new AtomicInteger();
            Thread prober = new Thread(() -> {
                while (flooding.get()) {
                    if (healthz(http, healthz)) {
                        answered.incrementAndGet();
                    }
                }
            });
            prober.start();
            int opened = 0;
            try {
                while (opened < CONNECTIONS) {
                    opened += wave(new InetSocketAddress("127.0.0.1", port));
                }
            } finally {
                flooding.set(false);
                prober.join();
            }

            assertThat(opened).isEqualTo(CONNECTIONS);
            assertThat(answered.get()).as("/healthz answers during the flood").isPositive();
            // after the flood: healthz answers, and the source is still sampling (a new sample shows in the log)
            await().atMost(Duration.ofSeconds(30)).until(() -> healthz(http, healthz));
            assertThat(agent.stdout().substring(connectedAt))
                    .as("no false home-connection drop")
                    .doesNotContain("home DERP connection 1 -> 0")
                    .doesNotContain("localapi_unreachable");
        }
    }

    /** Opens {@link #WAVE} connections, then resets them all at once; returns how many were opened. */
    private static int wave(InetSocketAddress to) throws IOException {
        List<SocketChannel> open = new ArrayList<>(WAVE);
        try {
            for (int i = 0; i < WAVE; i++) {
                SocketChannel c = SocketChannel.open(to);
                c.setOption(StandardSocketOptions.SO_LINGER, 0); // close sends RST, as a killed client does
                open.add(c);
            }
        } finally {
            for (SocketChannel c : open) {
                c.close();
            }
        }
        return open.size();
    }

    private static boolean healthz(HttpClient http, URI uri) {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().equals("ok\n");
        } catch (IOException e) {
            return false; // refused while the flood holds every slot: the next probe tries again
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
