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
    private static DerpCheckTls clientTls;
    private static javax.net.ssl.X509ExtendedKeyManager trustedKeys;
    private static javax.net.ssl.X509ExtendedKeyManager otherKeys;
    private LabDerpServer derp;

    @BeforeAll
    static void certificates() throws Exception {
        group = NettyTransport.detect().newGroup(1);
        LabCertificate cert = LabCertificate.generate(List.of(HOST));
        LabCertificate other = LabCertificate.generate(List.of(HOST));
        serverTls = SslContextBuilder.forServer(cert.keyManagerFactory()).build();
        trustedKeys =
                (javax.net.ssl.X509ExtendedKeyManager) cert.keyManagerFactory().getKeyManagers()[0];
        otherKeys =
                (javax.net.ssl.X509ExtendedKeyManager) other.keyManagerFactory().getKeyManagers()[0];
        untrustedTls = SslContextBuilder.forServer(other.keyManagerFactory()).build();
        clientTls = DerpCheckTls.trusting(cert.trustManagerFactory(), true);
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
    void certificateThatBecomesUntrusted_failsTheNextCheckAtTls_evenWhenTheServerCouldResumeTheSession()
            throws Exception {
        // one server context (one session-ticket key) whose certificate changes between two checks: a check
        // that resumed the first session would never see the second certificate
        SwitchingKeyManager keys = new SwitchingKeyManager(trustedKeys, otherKeys);
        SslContext switching = SslContextBuilder.forServer(keys).build();
        derp = LabDerpServer.start(group, new InetSocketAddress("127.0.0.1", 0), switching, switching);
        DerpUpgradeSampler s = sampler();
        DerpCheckResult first = run(s, target());
        assertThat(first.reachable()).as(first.error()).isTrue();

        keys.useOther();
        DerpCheckResult second = run(s, target());

        assertThat(second.failedStep()).as(second.error()).contains(DerpCheckStep.TLS);
        assertThat(derp.upgrades()).isEqualTo(1);
    }

    @Test
    void checks_shareOneContext_andLeaveAtMostTheLastSessionInItsCache() throws Exception {
        startDerp();
        DerpUpgradeSampler s = sampler();
        for (int i = 0; i < 3; i++) {
            DerpCheckResult r = run(s, target());
            assertThat(r.reachable()).as(r.error()).isTrue();
            assertThat(clientTls.cachedSessions()).isLessThanOrEqualTo(1);
        }
        assertThat(derp.upgrades()).isEqualTo(3);
    }

    private static DerpUpgradeSampler sampler(DerpCheckSettings.Trust trust) {
        DerpCheckSettings settings = new DerpCheckSettings(
                true,
                Duration.ofMinutes(1),
                TIMEOUT,
                DerpCheckSettings.Regions.HOME,
                List.of(),
                40,
                Duration.ZERO,
                trust,
                java.util.Optional.empty());
        return new DerpUpgradeSampler(
                group.next(),
                NettyTransport.forGroup(group),
                DerpCheckTls.of(settings),
                host -> CompletableFuture.failedFuture(new UnknownHostException(host)),
                TIMEOUT,
                System::nanoTime);
    }

    @Test
    void systemTrust_rejectsTheLabsSelfSignedCertificate_atTls() throws Exception {
        startDerp();
        DerpCheckResult r = run(sampler(DerpCheckSettings.Trust.SYSTEM), target());
        assertThat(r.failedStep()).as(r.error()).contains(DerpCheckStep.TLS);
        assertThat(r.error()).contains("PKIX");
        assertThat(derp.upgrades()).isZero();
    }

    @Test
    void insecureTrust_acceptsAnyCertificateForAnyName() throws Exception {
        startDerp();
        derp.misbehave(Misbehaviour.UNTRUSTED_CERT);
        DerpCheckTarget otherName = new DerpCheckTarget(
                3, "3a", "derp9.lab.test", "127.0.0.1", derp.address().getPort());
        DerpCheckResult r = run(sampler(DerpCheckSettings.Trust.INSECURE), otherName);
        assertThat(r.reachable()).as(r.error()).isTrue();
    }

    @Test
    void checkWhileTheTlsClientIsBeingBuilt_startsWhenItIsThere() throws Exception {
        startDerp();
        CompletableFuture<DerpCheckTls> building = new CompletableFuture<>();
        DerpUpgradeSampler s = new DerpUpgradeSampler(
                group.next(),
                NettyTransport.forGroup(group),
                building,
                host -> CompletableFuture.failedFuture(new UnknownHostException(host)),
                TIMEOUT,
                System::nanoTime);
        CompletableFuture<DerpCheckResult> check = s.check(target());
        assertThat(check).isNotDone();
        assertThat(derp.upgrades()).isZero();

        building.complete(clientTls);

        DerpCheckResult r = check.get(60, TimeUnit.SECONDS);
        assertThat(r.reachable()).as(r.error()).isTrue();
        assertThat(derp.upgrades()).isEqualTo(1);
    }

    @Test
    void tlsClientThatCouldNotBeBuilt_failsEveryCheckAtTls_withTheReason() throws Exception {
        startDerp();
        DerpUpgradeSampler s = new DerpUpgradeSampler(
                group.next(),
                NettyTransport.forGroup(group),
                CompletableFuture.failedFuture(new IllegalArgumentException("no trust store")),
                host -> CompletableFuture.failedFuture(new UnknownHostException(host)),
                TIMEOUT,
                System::nanoTime);
        for (int i = 0; i < 2; i++) {
            DerpCheckResult r = run(s, target());
            assertThat(r.failedStep()).contains(DerpCheckStep.TLS);
            assertThat(r.error()).contains("no trust store");
        }
        assertThat(derp.upgrades()).isZero();
    }

    @Test
    void certificateForAnotherName_failsAtTls() throws Exception {
        startDerp();
        DerpCheckTarget otherName = new DerpCheckTarget(
                3, "3a", "derp9.lab.test", "127.0.0.1", derp.address().getPort());
        DerpCheckResult r = run(sampler(), otherName);
        assertThat(r.failedStep()).as(r.error()).contains(DerpCheckStep.TLS);
        assertThat(r.error()).containsIgnoringCase("derp9.lab.test");
        assertThat(derp.upgrades()).isZero();
    }

    /** A server key manager that presents one identity, then (after {@link #useOther}) another. */
    private static final class SwitchingKeyManager extends javax.net.ssl.X509ExtendedKeyManager {
        private final javax.net.ssl.X509ExtendedKeyManager first;
        private final javax.net.ssl.X509ExtendedKeyManager other;
        private volatile boolean useOther;

        SwitchingKeyManager(javax.net.ssl.X509ExtendedKeyManager first, javax.net.ssl.X509ExtendedKeyManager other) {
            this.first = first;
            this.other = other;
        }

        void useOther() {
            useOther = true;
        }

        private javax.net.ssl.X509ExtendedKeyManager current() {
            return useOther ? other : first;
        }

        @Override
        public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
            return current().getClientAliases(keyType, issuers);
        }

        @Override
        public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, java.net.Socket s) {
            return current().chooseClientAlias(keyType, issuers, s);
        }

        @Override
        public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
            return current().getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, java.security.Principal[] issuers, java.net.Socket s) {
            return current().chooseServerAlias(keyType, issuers, s);
        }

        @Override
        public String chooseEngineServerAlias(
                String keyType, java.security.Principal[] issuers, javax.net.ssl.SSLEngine engine) {
            return current().chooseEngineServerAlias(keyType, issuers, engine);
        }

        @Override
        public java.security.cert.X509Certificate[] getCertificateChain(String alias) {
            return current().getCertificateChain(alias);
        }

        @Override
        public java.security.PrivateKey getPrivateKey(String alias) {
            return current().getPrivateKey(alias);
        }
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
