package io.derpwatch.sinks.otlp;

import static io.derpwatch.sinks.testing.TestData.SEQ;
import static io.derpwatch.sinks.testing.TestData.metricBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.derpwatch.sinks.SinkStats;
import io.derpwatch.sinks.runtime.SinkSet;
import io.derpwatch.sinks.testing.OtlpReceiver;
import io.derpwatch.sinks.testing.TestSinks;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** TLS and mTLS against the real receiver, with a CA generated for the test (netty-pkitesting). */
class OtlpTlsTest {
    @TempDir
    static Path pki;

    static Path caPem;
    static Path otherCaPem;
    static Path serverChain;
    static Path serverKey;
    static Path clientChain;
    static Path clientKey;

    private OtlpReceiver receiver;
    private SinkSet sinks;

    @BeforeAll
    static void makeCertificates() throws Exception {
        Instant from = Instant.now().minusSeconds(3600);
        Instant to = Instant.now().plusSeconds(86_400);
        X509Bundle ca = new CertificateBuilder()
                .subject("CN=derpwatch test CA")
                .setIsCertificateAuthority(true)
                .notBefore(from)
                .notAfter(to)
                .ecp256()
                .buildSelfSigned();
        X509Bundle otherCa = new CertificateBuilder()
                .subject("CN=some other CA")
                .setIsCertificateAuthority(true)
                .notBefore(from)
                .notAfter(to)
                .ecp256()
                .buildSelfSigned();
        X509Bundle server = new CertificateBuilder()
                .subject("CN=localhost")
                .addSanDnsName("localhost")
                .addSanIpAddress("127.0.0.1")
                .addExtendedKeyUsageServerAuth()
                .notBefore(from)
                .notAfter(to)
                .ecp256()
                .buildIssuedBy(ca);
        X509Bundle client = new CertificateBuilder()
                .subject("CN=derpwatch-agent")
                .addExtendedKeyUsageClientAuth()
                .notBefore(from)
                .notAfter(to)
                .ecp256()
                .buildIssuedBy(ca);
        caPem = write("ca.pem", ca.getCertificatePEM());
        otherCaPem = write("other-ca.pem", otherCa.getCertificatePEM());
        serverChain = write("server.pem", server.getCertificatePathPEM());
        serverKey = write("server.key", server.getPrivateKeyPEM());
        clientChain = write("client.pem", client.getCertificatePathPEM());
        clientKey = write("client.key", client.getPrivateKeyPEM());
    }

    private static Path write(String name, String pem) throws Exception {
        return Files.writeString(pki.resolve(name), pem);
    }

    @AfterEach
    void stop() throws Exception {
        if (sinks != null) {
            sinks.shutdown(Duration.ofMillis(300));
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    private SinkStats stats() {
        return sinks.stats().get(0);
    }

    private void open(String protocol, String tls) {
        String endpoint = protocol.equals("grpc") ? receiver.grpcEndpoint() : receiver.httpEndpoint();
        sinks = TestSinks.open(TestSinks.settings(
                "otlp-tls",
                "otlp",
                "protocol = \"" + protocol + "\"\n" + "endpoint = \"" + endpoint + "\"\ntimeout = 2s\n"
                        + TestSinks.FAST_RETRY + "tls { " + tls + " }\n"));
    }

    private static File file(Path p) {
        return p.toFile();
    }

    @ParameterizedTest
    @ValueSource(strings = {"grpc", "http/protobuf"})
    void tls_withTheTestCa_delivers(String protocol) throws Exception {
        receiver = OtlpReceiver.start(new OtlpReceiver.Tls(file(serverChain), file(serverKey), null));
        open(protocol, "ca-file = \"" + caPem + "\"");
        sinks.metricExporter().export(metricBatch(0));
        await().atMost(Duration.ofSeconds(10)).until(() -> stats().exported() == 1);
        assertThat(receiver.metricPointAttribute(SEQ)).containsExactly("0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"grpc", "http/protobuf"})
    void mtls_withAClientCertificate_delivers(String protocol) throws Exception {
        receiver = OtlpReceiver.start(new OtlpReceiver.Tls(file(serverChain), file(serverKey), file(caPem)));
        open(
                protocol,
                "ca-file = \"" + caPem + "\", cert-file = \"" + clientChain + "\", key-file = \"" + clientKey + "\"");
        sinks.metricExporter().export(metricBatch(0));
        await().atMost(Duration.ofSeconds(10)).until(() -> stats().exported() == 1);
        assertThat(receiver.metricPointAttribute(SEQ)).containsExactly("0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"grpc", "http/protobuf"})
    void mtls_withoutAClientCertificate_isRefused(String protocol) throws Exception {
        receiver = OtlpReceiver.start(new OtlpReceiver.Tls(file(serverChain), file(serverKey), file(caPem)));
        open(protocol, "ca-file = \"" + caPem + "\"");
        sinks.metricExporter().export(metricBatch(0));
        await().atMost(Duration.ofSeconds(10)).until(() -> stats().failed() >= 1);
        assertThat(receiver.metrics()).isEmpty();
        assertThat(stats().exported()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"grpc", "http/protobuf"})
    void wrongCa_failsWithAClearError_andDeliversNothing(String protocol) throws Exception {
        receiver = OtlpReceiver.start(new OtlpReceiver.Tls(file(serverChain), file(serverKey), null));
        open(protocol, "ca-file = \"" + otherCaPem + "\"");
        sinks.metricExporter().export(metricBatch(0));
        await().atMost(Duration.ofSeconds(10)).until(() -> stats().failed() >= 1);

        assertThat(receiver.metrics()).isEmpty();
        assertThat(stats().exported()).isZero();
        assertThat(stats().queued())
                .as("kept for retry: the CA may be fixed on either side")
                .isEqualTo(1);
        assertThat(stats().lastError())
                .contains("TLS handshake failed")
                .contains("tls.ca-file")
                .containsIgnoringCase("certification path");
    }
}
