package io.derpwatch.deploy;

import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.SettingsException;
import io.derpwatch.config.SettingsLoader;
import io.derpwatch.sinks.runtime.SinkCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the agent's own validation (what {@code derpwatch validate} does: core settings and every sink's keys) over
 * the HOCON a manifest ships. The files the pod would have mounted (Secrets under {@code /etc/derpwatch/secrets},
 * the queue volume) are stood in for by files in a temporary directory, so a path the config names that the pod
 * would not have is still an error.
 */
final class AgentConfigCheck {
    private static final Pattern SECRET_FILE = Pattern.compile("\"(/etc/derpwatch/secrets/[^\"]+)\"");
    private static final String QUEUE_DIR = "/var/lib/derpwatch/queue";

    private static String[] pem;

    private AgentConfigCheck() {}

    /** A certificate (*.crt) or PKCS#8 key (*.key) in PEM, as cert-manager Secrets hold them; else a token. */
    private static String standIn(String fileName) throws IOException {
        if (fileName.endsWith(".crt") || fileName.endsWith(".key")) {
            String[] certAndKey = selfSigned();
            return fileName.endsWith(".crt") ? certAndKey[0] : certAndKey[1];
        }
        return "stand-in for a mounted Secret key\n";
    }

    private static synchronized String[] selfSigned() throws IOException {
        if (pem != null) {
            return pem;
        }
        Path dir = Files.createTempDirectory("derpwatch-standin-cert");
        Path store = dir.resolve("c.p12");
        String keytool =
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        ExternalTool.Result r = ExternalTool.at(Path.of(keytool))
                .run(
                        java.time.Duration.ofMinutes(1),
                        "-genkeypair",
                        "-alias",
                        "c",
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-dname",
                        "CN=derpwatch-test",
                        "-validity",
                        "2",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        store.toString(),
                        "-storepass",
                        "changeit",
                        "-keypass",
                        "changeit")
                .assertSuccess("keytool -genkeypair");
        try (var in = Files.newInputStream(store)) {
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            ks.load(in, "changeit".toCharArray());
            var encoder = java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
            String cert = "-----BEGIN CERTIFICATE-----\n"
                    + encoder.encodeToString(ks.getCertificate("c").getEncoded()) + "\n-----END CERTIFICATE-----\n";
            String key = "-----BEGIN PRIVATE KEY-----\n"
                    + encoder.encodeToString(
                            ks.getKey("c", "changeit".toCharArray()).getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
            pem = new String[] {cert, key};
            return pem;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("stand-in certificate: " + r.stderr(), e);
        } finally {
            Files.deleteIfExists(store);
            Files.deleteIfExists(dir);
        }
    }

    /** The problems the agent reports for {@code hocon} in a pod with {@code env}; empty when it is valid. */
    static List<String> problems(String hocon, Map<String, String> env, Path scratch) {
        try {
            Path mounts = Files.createTempDirectory(scratch, "pod");
            Matcher m = SECRET_FILE.matcher(hocon);
            StringBuilder rewritten = new StringBuilder();
            while (m.find()) {
                Path file = mounts.resolve(m.group(1).substring(1));
                Files.createDirectories(file.getParent());
                if (!Files.exists(file)) {
                    Files.writeString(file, standIn(file.getFileName().toString()));
                }
                m.appendReplacement(rewritten, Matcher.quoteReplacement("\"" + file + "\""));
            }
            m.appendTail(rewritten);
            String text = rewritten
                    .toString()
                    .replace(QUEUE_DIR, mounts.resolve("queue").toString());
            Path conf = mounts.resolve("derpwatch.conf");
            Files.writeString(conf, text, StandardCharsets.UTF_8);
            SinkCatalog catalog = SinkCatalog.load();
            try {
                SettingsLoader.with(env, new Properties()).load(conf, catalog::configure);
                return List.of();
            } catch (SettingsException e) {
                return e.problems().stream().map(ConfigProblem::toString).toList();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
