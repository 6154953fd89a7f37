package io.derpwatch.agent.derpcheck;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/** The TLS client context of {@code derpwatch.derp-check.tls.trust}: system, insecure, or a PEM file. */
final class DerpCheckTls {
    private DerpCheckTls() {}

    static SslContext context(DerpCheckSettings settings) {
        try {
            SslContextBuilder b = SslContextBuilder.forClient();
            switch (settings.trust()) {
                case SYSTEM -> {}
                case INSECURE -> b.trustManager(InsecureTrustManagerFactory.INSTANCE);
                case FILE -> {
                    Path pem = settings.trustFile()
                            .orElseThrow(() ->
                                    new IllegalArgumentException("derpwatch.derp-check.tls.trust: no PEM file given"));
                    b.trustManager(pem.toFile());
                }
            }
            return b.build();
        } catch (SSLException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "derpwatch.derp-check.tls.trust: cannot use "
                            + settings.trustFile()
                                    .map(Path::toString)
                                    .orElse(settings.trust().name().toLowerCase(java.util.Locale.ROOT))
                            + ": " + e.getMessage(),
                    e);
        }
    }
}
