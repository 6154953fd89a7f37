package io.derpwatch.agent.derpcheck;

import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.agent.derp.DerpNode;
import io.derpwatch.agent.net.NettyTransport;
import io.derpwatch.lab.net.LabCertificate;
import io.derpwatch.lab.net.LabDerpServer;
import io.derpwatch.lab.net.LabDerpServer.Misbehaviour;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.ResourceLeakDetector;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The check against the lab's DERP stand-in on loopback TLS, and each way it misbehaves. */
class DerpUpgradeSamplerTest {
    private static final String HOST = "derp1.lab.test";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    private static EventLoopGroup group;
    private static SslContext serverTls;
    private static SslContext untrustedTls;
    private static SslContext clientTls;
    private LabDerpServer derp;

    @BeforeAll
    static void certificates() throws Exception {
        group = NettyTransport.detect().newGroup(1);
        LabCertificate cert = LabCertificate.generate(List.of(HOST));
        LabCertificate other = LabCertificate.generate(List.of(HOST));
        serverTls = SslContextBuilder.forServer(cert.keyManagerFactory()).build();
        untrustedTls = SslContextBuilder.forServer(other.keyManagerFactory()).build();
        clientTls = SslContextBuilder.forClient()
                .trustManager(cert.trustManagerFactory())
                .build();
    }

    @AfterAll
    static void shutdown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private void startDerp() throws InterruptedException {
        derp = LabDerpServer.start(group, new InetSocketAddress("127.0.0.1", 0), serverTls, untrustedTls);
    }

    @AfterEach
    void stop() {
        if (derp != null) {
            derp.close();
        }
    }

    private static DerpUpgradeSampler sampler(Duration timeout, DerpUpgradeSampler.HostResolver resolver) {
        return new DerpUpgradeSampler(
                group.next(), NettyTransport.forGroup(group), clientTls, resolver, timeout, System::nanoTime);
    }

    private static DerpUpgradeSampler sampler() {
        return sampler(TIMEOUT, host -> CompletableFuture.failedFuture(new UnknownHostException(host)));
    }

    private DerpCheckTarget target() {
        return new DerpCheckTarget(3, "3a", HOST, "127.0.0.1", derp.address().getPort());
    }

    private static DerpCheckResult run(DerpUpgradeSampler s, DerpCheckTarget t) throws Exception {
        return s.check(t).get(60, TimeUnit.SECONDS);
    }

    @Test
    void healthyServer_isReachable_withEveryStepTimed_andOneUpgrade() throws Exception {
        startDerp();
        DerpCheckResult r = run(sampler(), target());
        assertThat(r.reachable()).as(r.error()).isTrue();
        assertThat(r.durations())
                .containsOnlyKeys(
                        DerpCheckStep.DNS,
                        DerpCheckStep.TCP,
                        DerpCheckStep.TLS,
                        DerpCheckStep.HTTP,
                        DerpCheckStep.NO_SERVER_KEY);
        assertThat(r.connectDuration()).isPositive();
        assertThat(derp.upgrades()).isEqualTo(1);
    }

    @Test
    void hostName_isResolvedWhenTheMapGivesNoIp() throws Exception {
        startDerp();
        DerpCheckTarget byName =
                new DerpCheckTarget(3, "3a", HOST, "", derp.address().getPort());
        DerpCheckResult r = run(
                sampler(TIMEOUT, host -> CompletableFuture.completedFuture(InetAddress.getLoopbackAddress())), byName);
        assertThat(r.reachable()).as(r.error()).isTrue();
    }

    @Test
    void unresolvableName_failsAtDns() throws Exception {
        startDerp();
        DerpCheckTarget byName = new DerpCheckTarget(
                3, "3a", "nowhere.lab.test", "", derp.address().getPort());
        DerpCheckResult r = run(sampler(), byName);
        assertThat(r.failedStep()).contains(DerpCheckStep.DNS);
        assertThat(r.error()).contains("nowhere.lab.test");
    }

    @Test
    void refusedTcp_failsAtTcp() throws Exception {
        startDerp();
        derp.misbehave(Misbehaviour.REFUSE_TCP);
        DerpCheckResult r = run(sampler(), target());
        assertThat(r.failedStep()).contains(DerpCheckStep.TCP);
        assertThat(r.error()).containsIgnoringCase("refused");
    }

    @Test
    void untrustedCertificate_failsAtTls() throws Exception {
        startDerp();
        derp.misbehave(Misbehaviour.UNTRUSTED_CERT);
        DerpCheckResult r = run(sampler(), target());
        assertThat(r.failedStep()).contains(DerpCheckStep.TLS);
        assertThat(derp.upgrades()).isZero();
    }

    @Test
    void http200InsteadOf101_failsAtHttp() throws Exception {
        startDerp();
        derp.misbehave(Misbehaviour.HTTP_200);
        DerpCheckResult r = run(sampler(), target());
        assertThat(r.failedStep()).contains(DerpCheckStep.HTTP);
        assertThat(r.error()).contains("200");
    }

    @Test
    void garbageAfter101_isNoServerKey() throws Exception {
        startDerp();
        derp.misbehave(Misbehaviour.GARBAGE_AFTER_101);
        DerpCheckResult r = run(sampler(), target());
        assertThat(r.failedStep()).contains(DerpCheckStep.NO_SERVER_KEY);
        assertThat(r.durations()).containsKey(DerpCheckStep.HTTP);
    }

    @Test
    void serverThatNeverAnswers_failsAtHttpWhenTheTimeoutExpires() throws Exception {
        startDerp();
        derp.misbehave(Misbehaviour.NEVER_ANSWER);
        DerpCheckResult r = run(
                sampler(Duration.ofSeconds(3), host -> CompletableFuture.failedFuture(new UnknownHostException())),
                target());
        assertThat(r.failedStep()).contains(DerpCheckStep.HTTP);
        assertThat(r.error()).contains("no answer within");
    }

    @Test
    void target_fromTheDerpMap_usesIpv4AndPort443WhenZero() {
        DerpNode node = new DerpNode("3a", 3, "derp3.example", "192.0.2.3", "", 0, false, 0, true);
        assertThat(DerpCheckTarget.of(node)).isEqualTo(new DerpCheckTarget(3, "3a", "derp3.example", "192.0.2.3", 443));
        DerpNode named = new DerpNode("3b", 3, "derp3b.example", "", "", 0, false, 8443, true);
        assertThat(DerpCheckTarget.of(named).address()).isEmpty();
        assertThat(DerpCheckTarget.of(named).port()).isEqualTo(8443);
    }
}
