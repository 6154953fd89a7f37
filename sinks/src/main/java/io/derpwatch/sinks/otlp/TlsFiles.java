package io.derpwatch.sinks.otlp;

import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * TLS material for an OTLP sink, from PEM files: the CA bundle that signs the receiver's certificate, and for
 * mTLS the client certificate chain and its PKCS#8 private key.
 *
 * @param caFile             PEM CA certificates to trust instead of the JVM's default trust store (null: default)
 * @param certFile           PEM client certificate chain for mTLS (null: none)
 * @param keyFile            PEM PKCS#8 private key of {@code certFile}
 * @param insecureSkipVerify trust any server certificate (testing only)
 */
record TlsFiles(Path caFile, Path certFile, Path keyFile, boolean insecureSkipVerify) {

    static final TlsFiles NONE = new TlsFiles(null, null, null, false);

    boolean configured() {
        return caFile != null || certFile != null || insecureSkipVerify;
    }

    /** Builds the JDK {@link SSLContext}; reads the files now, so a bad file fails here, not at the first send. */
    SSLContext sslContext() throws SSLException {
        SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(SslProvider.JDK);
        if (insecureSkipVerify) {
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
        } else if (caFile != null) {
            builder.trustManager(caFile.toFile());
        }
        if (certFile != null) {
            builder.keyManager(certFile.toFile(), keyFile.toFile());
        }
        return ((JdkSslContext) builder.build()).context();
    }
}
