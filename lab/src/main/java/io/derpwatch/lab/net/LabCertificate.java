package io.derpwatch.lab.net;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for lab TLS servers, made with the JDK's own {@code keytool} (no extra crypto
 * library): an EC key whose certificate names the given DNS names and 127.0.0.1.
 */
public final class LabCertificate {
    private static final char[] PASSWORD = "lab-only".toCharArray();
    private final KeyStore keyStore;

    private LabCertificate(KeyStore keyStore) {
        this.keyStore = keyStore;
    }

    /** Generates a key pair and self-signed certificate for {@code dnsNames} (valid for two days). */
    public static LabCertificate generate(List<String> dnsNames)
            throws IOException, GeneralSecurityException, InterruptedException {
        Path dir = Files.createTempDirectory("lab-cert");
        Path file = dir.resolve("lab.p12");
        StringBuilder san = new StringBuilder("SAN=ip:127.0.0.1");
        for (String n : dnsNames) {
            san.append(",dns:").append(n);
        }
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(
                        keytool.toString(),
                        "-genkeypair",
                        "-alias",
                        "lab",
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-dname",
                        "CN=" + dnsNames.get(0),
                        "-ext",
                        san.toString(),
                        "-validity",
                        "2",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        file.toString(),
                        "-storepass",
                        new String(PASSWORD),
                        "-keypass",
                        new String(PASSWORD))
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + out);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, PASSWORD);
        }
        Files.delete(file);
        Files.delete(dir);
        return new LabCertificate(ks);
    }

    /** For the server side. */
    public KeyManagerFactory keyManagerFactory() throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, PASSWORD);
        return kmf;
    }

    /** For a client that trusts exactly this certificate. */
    public TrustManagerFactory trustManagerFactory() throws GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            trust.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        trust.setCertificateEntry("lab", keyStore.getCertificate("lab"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        return tmf;
    }

    /** The certificate in PEM form: what a client's trust setting (derp-check.tls.trust) can name as a file. */
    public String certificatePem() throws GeneralSecurityException {
        byte[] der = keyStore.getCertificate("lab").getEncoded();
        return "-----BEGIN CERTIFICATE-----\n"
                + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END CERTIFICATE-----\n";
    }
}
