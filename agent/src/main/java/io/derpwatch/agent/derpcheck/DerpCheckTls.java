package io.derpwatch.agent.derpcheck;

import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * The TLS client side of the check ({@code derpwatch.derp-check.tls.trust}: system, insecure, or a PEM file): one
 * JDK {@link SSLContext}, its trust built once for the agent's life, and a new engine per check that does a
 * <em>full</em> handshake. No session of an earlier check is offered for resumption: a resumed TLS 1.3 session
 * skips the server's certificate, so a certificate that expired or changed since the first check would go unseen
 * for as long as the server honours its ticket (the JDK's client cache keeps sessions 24 h). That costs CPU (a
 * full handshake is ~140 ms under {@code -Xint}, a resumed one ~75 ms: docs/benchmarks.md), the price of checking
 * what a DERP client that starts now would see. Offers TLS 1.3 and 1.2 with AEAD suites only, what DERP servers
 * (Go's crypto/tls, TLS 1.2 minimum) negotiate.
 */
public final class DerpCheckTls {
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final List<String> SUITES = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private final SSLContext context;
    private final boolean checkHostName;
    private final String[] suites;

    private DerpCheckTls(TrustManager[] trust, boolean checkHostName) throws GeneralSecurityException {
        this.context = SSLContext.getInstance("TLS");
        context.init(null, trust, null);
        SSLSessionContext sessions = context.getClientSessionContext();
        sessions.setSessionCacheSize(1); // newEngine empties it anyway; this bounds it between checks
        this.checkHostName = checkHostName;
        Set<String> supported = Set.of(context.getSupportedSSLParameters().getCipherSuites());
        this.suites = SUITES.stream().filter(supported::contains).toArray(String[]::new);
    }

    /** The client side for {@code settings}; a trust that cannot be used is a clear error naming the key. */
    static DerpCheckTls of(DerpCheckSettings settings) {
        return build(settings, pem(settings));
    }

    /** Builds the context; {@code pem} holds the file's certificates when the trust is a PEM file. */
    private static DerpCheckTls build(DerpCheckSettings settings, @Nullable Collection<? extends Certificate> pem) {
        try {
            return switch (settings.trust()) {
                case SYSTEM -> trusting(systemTrust(), true);
                case INSECURE -> new DerpCheckTls(InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), false);
                case FILE -> trusting(pemTrust(Objects.requireNonNull(pem)), true);
            };
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            throw unusable(settings, e);
        }
    }

    /** The PEM file's certificates when the trust is a file (a file that is not PEM is an error now), else null. */
    private static @Nullable Collection<? extends Certificate> pem(DerpCheckSettings settings) {
        if (settings.trust() != DerpCheckSettings.Trust.FILE) {
            return null;
        }
        try {
            return pemCertificates(
                    settings.trustFile().orElseThrow(() -> new IllegalArgumentException("no PEM file given")));
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            throw unusable(settings, e);
        }
    }

    private static IllegalArgumentException unusable(DerpCheckSettings settings, Exception e) {
        return new IllegalArgumentException(
                "derpwatch.derp-check.tls.trust: cannot use "
                        + settings.trustFile()
                                .map(Path::toString)
                                .orElse(settings.trust().name().toLowerCase(Locale.ROOT))
                        + ": " + e.getMessage(),
                e);
    }

    /**
     * The client side for {@code settings}, built on a short-lived thread of its own, off the agent's start path
     * and its event loop (the JDK's TLS stack and trust store take ~0.5 s of CPU to set up under {@code -Xint}). What
     * is wrong with the configuration is still an error here and now: a PEM file is read before this returns.
     */
    static CompletableFuture<DerpCheckTls> inBackground(DerpCheckSettings settings) {
        @Nullable Collection<? extends Certificate> pem = pem(settings); // read once, here: a bad file fails the start
        CompletableFuture<DerpCheckTls> out = new CompletableFuture<>();
        Thread builder = new Thread(
                () -> {
                    try {
                        out.complete(build(settings, pem));
                    } catch (RuntimeException e) {
                        LoggerFactory.getLogger(DerpCheckTls.class)
                                .warn("the DERP check has no TLS client: {}", e.getMessage());
                        out.completeExceptionally(e);
                    }
                },
                "derpwatch-tls-init");
        builder.setDaemon(true);
        builder.start();
        return out;
    }

    /** Trusts what {@code trust} trusts; the certificate must name the host when {@code checkHostName}. */
    static DerpCheckTls trusting(TrustManagerFactory trust, boolean checkHostName) throws GeneralSecurityException {
        return new DerpCheckTls(trust.getTrustManagers(), checkHostName);
    }

    /** The JDK's trust store ({@code javax.net.ssl.trustStore}, else the JDK's cacerts). */
    private static TrustManagerFactory systemTrust() throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);
        return tmf;
    }

    /** Trusts the certificates of a PEM file (one or more). */
    private static TrustManagerFactory pemTrust(Collection<? extends Certificate> certs)
            throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int i = 0;
        for (Certificate c : certs) {
            store.setCertificateEntry("ca-" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        return tmf;
    }

    private static Collection<? extends Certificate> pemCertificates(Path pem)
            throws GeneralSecurityException, IOException {
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(pem)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (certs.isEmpty()) {
            throw new GeneralSecurityException("no certificate in the file");
        }
        return certs;
    }

    /**
     * A client engine for one check of {@code host}: SNI, the certificate checked against the trust (and its name
     * against {@code host}), and no session of an earlier check offered for resumption.
     */
    SSLEngine newEngine(String host, int port) {
        forgetSessions();
        SSLEngine engine = context.createSSLEngine(host, port);
        engine.setUseClientMode(true);
        SSLParameters params = engine.getSSLParameters();
        params.setProtocols(PROTOCOLS);
        params.setCipherSuites(suites);
        if (checkHostName) {
            params.setEndpointIdentificationAlgorithm("HTTPS");
        }
        engine.setSSLParameters(params);
        return engine;
    }

    /** Sessions the context holds now (a test's view: at most the last check's, never offered again). */
    int cachedSessions() {
        return Collections.list(context.getClientSessionContext().getIds()).size();
    }

    private void forgetSessions() {
        SSLSessionContext sessions = context.getClientSessionContext();
        List<byte[]> ids = new ArrayList<>(Collections.list(sessions.getIds()));
        for (byte[] id : ids) {
            javax.net.ssl.SSLSession s = sessions.getSession(id);
            if (s != null) {
                s.invalidate();
            }
        }
    }
}
