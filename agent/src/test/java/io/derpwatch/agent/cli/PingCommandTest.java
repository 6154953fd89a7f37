package io.derpwatch.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.lab.LabPeers;
import io.derpwatch.lab.LabPing;
import io.derpwatch.lab.LocalApiEmulator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code derpwatch ping} against the lab's LocalAPI on a real Unix socket. */
class PingCommandTest {
    @TempDir
    Path dir;

    private LocalApiEmulator lab;
    private Path conf;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void start() throws Exception {
        lab = LocalApiEmulator.start(dir.resolve("ts.sock"));
        lab.serveStatusDocument(LabPeers.status(new LabPeers.Mix(2, 2, 0, 0, 4)));
        conf = Files.writeString(dir.resolve("p.conf"), "derpwatch.localapi.socket = \"" + lab.socket() + "\"\n");
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--config";
        all[args.length + 1] = conf.toString();
        return cl.execute(all);
    }

    @Test
    void relayedThenDirect_printsEachPong_andStopsAtTheDirectOne() {
        String ip = LabPeers.tailscaleIp(1);
        lab.ping()
                .script(
                        ip,
                        LabPing.derp("peer-00001", 4, "lhr", 0.335),
                        LabPing.derp("peer-00001", 5, "par", 0.129),
                        LabPing.direct("peer-00001", "203.0.113.7:41641", 0.012));

        assertThat(run("ping", "peer-00001", "--count", "5")).isZero();

        assertThat(out.toString().lines().toList())
                .containsExactly(
                        "pong from peer-00001 (" + ip + ") via DERP(lhr) in 335ms",
                        "pong from peer-00001 (" + ip + ") via DERP(par) in 129ms",
                        "pong from peer-00001 (" + ip + ") via 203.0.113.7:41641 in 12ms");
        assertThat(lab.lastRequest().orElseThrow().method()).isEqualTo("POST");
        assertThat(lab.lastRequest().orElseThrow().uri()).isEqualTo("/localapi/v0/ping?ip=" + ip + "&type=disco");
    }

    @Test
    void verbose_addsThePathClassification() {
        String ip = LabPeers.tailscaleIp(2);
        lab.ping().script(ip, LabPing.peerRelay("peer-00002", "100.64.9.9:40000:vni:7", 0.02));

        assertThat(run("ping", ip, "--count", "1", "--verbose")).isZero();

        assertThat(out.toString())
                .contains("pong from peer-00002 (" + ip
                        + ") via peer-relay(100.64.9.9:40000:vni:7) in 20ms  [path=peer_relay]");
    }

    @Test
    void noPong_timesOutEachTry_exit1() {
        String ip = LabPeers.tailscaleIp(0);
        lab.ping().script(ip, LabPing.timeout());

        assertThat(run("ping", "peer-00000", "--count", "2", "--timeout", "300ms"))
                .isEqualTo(1);

        assertThat(out.toString().lines().toList())
                .containsExactly("ping \"" + ip + "\" timed out", "ping \"" + ip + "\" timed out");
        assertThat(err.toString()).contains("no reply from peer-00000 in 2 tries");
    }

    @Test
    void aPeerTailscaledDoesNotKnow_isTailscaledsOwnError_exit1_noRetries() {
        assertThat(run("ping", "100.99.99.99", "--count", "5")).isEqualTo(1);

        assertThat(out.toString().lines().toList()).containsExactly("no matching peer");
        assertThat(lab.requestCount()).isEqualTo(1);
    }

    @Test
    void aNameNotInTheTailnet_isAClearError_exit1() {
        assertThat(run("ping", "nobody")).as(err.toString()).isEqualTo(1);

        assertThat(err.toString()).contains("no peer named nobody in this tailnet");
    }

    @Test
    void tailscaledAbsent_exit1() throws Exception {
        conf = Files.writeString(
                dir.resolve("p.conf"), "derpwatch.localapi.socket = \"" + dir.resolve("none.sock") + "\"\n");

        assertThat(run("ping", "peer-00001")).isEqualTo(1);

        assertThat(err.toString()).contains("cannot read the peers");
    }
}
