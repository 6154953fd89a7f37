package io.derpwatch.sinks.otlp;

import io.derpwatch.config.ConfigProblem;
import io.derpwatch.config.SettingsReader;
import io.derpwatch.config.SinkSettings;
import io.derpwatch.sinks.Sink;
import io.derpwatch.sinks.SinkContext;
import io.derpwatch.sinks.SinkFactory;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * {@code type = otlp}: OTLP over gRPC or HTTP/protobuf. Whatever the config leaves unset (reference.conf keeps
 * those keys {@code null}) comes from the standard {@code OTEL_EXPORTER_OTLP_*} environment variables, then from
 * the OTLP defaults.
 */
public final class OtlpSinkFactory implements SinkFactory<OtlpSettings> {
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** A header value from a mounted Secret is a token, not a document. */
    private static final long MAX_HEADER_FILE_SIZE = 64 * 1024;
    /** A PEM bundle of a few hundred certificates. */
    private static final long MAX_TLS_FILE_SIZE = 1024 * 1024;

    private final Map<String, String> env;

    public OtlpSinkFactory() {
        this(System.getenv());
    }

    OtlpSinkFactory(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    @Override
    public String type() {
        return "otlp";
    }

    @Override
    public boolean supportsPersistentQueue() {
        return true;
    }

    @Override
    public @Nullable OtlpSettings createConfig(SinkSettings sink, List<ConfigProblem> problems) {
        int before = problems.size();
        SettingsReader r = sink.reader(problems);

        String protocolValue = r.optionalString("protocol").orElse(null);
        String protocolSource = "protocol";
        if (protocolValue == null && env.containsKey("OTEL_EXPORTER_OTLP_PROTOCOL")) {
            protocolValue = env.get("OTEL_EXPORTER_OTLP_PROTOCOL").strip();
            protocolSource = "OTEL_EXPORTER_OTLP_PROTOCOL";
        }
        OtlpProtocol protocol = protocolValue == null ? OtlpProtocol.GRPC : OtlpProtocol.of(protocolValue);
        if (protocol == null) {
            problem(
                    r,
                    "protocol",
                    protocolSource,
                    "unknown protocol \"" + protocolValue + "\" (expected one of "
                            + String.join(", ", OtlpProtocol.configValues()) + "; http/json is not supported)",
                    problems);
            protocol = OtlpProtocol.GRPC;
        }

        URI metricsEndpoint;
        URI logsEndpoint;
        if (r.has("endpoint")) {
            URI base = endpoint(r, "endpoint", "endpoint", r.string("endpoint"), protocol, problems);
            metricsEndpoint = signalEndpoint(base, protocol, "/v1/metrics");
            logsEndpoint = signalEndpoint(base, protocol, "/v1/logs");
        } else {
            String baseValue = env.getOrDefault("OTEL_EXPORTER_OTLP_ENDPOINT", protocol.defaultEndpoint);
            String baseSource =
                    env.containsKey("OTEL_EXPORTER_OTLP_ENDPOINT") ? "OTEL_EXPORTER_OTLP_ENDPOINT" : "endpoint";
            URI base = endpoint(r, "endpoint", baseSource, baseValue, protocol, problems);
            metricsEndpoint =
                    perSignal(r, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", base, protocol, "/v1/metrics", problems);
            logsEndpoint = perSignal(r, "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", base, protocol, "/v1/logs", problems);
        }

        Map<String, String> headers = new LinkedHashMap<>();
        parseEnvHeaders(r, env.get("OTEL_EXPORTER_OTLP_HEADERS"), headers, problems);
        r.stringMap("headers").forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
        r.stringMap("header-files")
                .forEach((k, file) -> r.fileText("header-files." + k, file, MAX_HEADER_FILE_SIZE)
                        .ifPresent(text -> headers.put(k.toLowerCase(Locale.ROOT), text.strip())));
        for (String name : headers.keySet()) {
            if (!HEADER_NAME.matcher(name).matches()) {
                r.problem("headers", "bad header name \"" + name + "\" (expected letters, digits and -)");
            }
        }

        String compression = r.optionalString("compression")
                .orElse(env.getOrDefault("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"))
                .strip();
        if (!compression.equals("gzip") && !compression.equals("none")) {
            r.problem("compression", "unknown compression \"" + compression + "\" (expected gzip or none)");
        }

        Duration timeout = DEFAULT_TIMEOUT;
        if (r.has("timeout")) {
            timeout = r.duration("timeout", Duration.ofMillis(100));
        } else if (env.containsKey("OTEL_EXPORTER_OTLP_TIMEOUT")) {
            try {
                timeout = Duration.ofMillis(
                        Long.parseLong(env.get("OTEL_EXPORTER_OTLP_TIMEOUT").strip()));
            } catch (NumberFormatException e) {
                problem(
                        r,
                        "timeout",
                        "OTEL_EXPORTER_OTLP_TIMEOUT",
                        "bad value \"" + env.get("OTEL_EXPORTER_OTLP_TIMEOUT")
                                + "\" (expected milliseconds, e.g. 10000)",
                        problems);
            }
        }

        TlsFiles tls = readTls(r.child("tls"), problems);
        boolean https = metricsEndpoint != null && "https".equals(metricsEndpoint.getScheme());
        if (tls.configured() && !https && problems.size() == before) {
            r.problem(
                    "endpoint",
                    "tls settings are given but the endpoint is not https:// (expected e.g. "
                            + "endpoint = \"https://collector:4317\", or remove the tls block)");
        }
        if (https && tls.configured() && problems.size() == before) {
            try {
                tls.sslContext();
            } catch (SSLException | RuntimeException e) {
                r.problem(
                        "tls",
                        "cannot load the TLS files: " + e.getMessage()
                                + " (expected PEM certificates and a PKCS#8 PEM key, e.g. openssl pkcs8 -topk8 -nocrypt)");
            }
        }
        if (problems.size() > before) {
            return null;
        }
        OtlpSettings settings = new OtlpSettings(
                sink.name(),
                protocol,
                metricsEndpoint,
                logsEndpoint,
                headers,
                compression.equals("gzip"),
                timeout,
                tls);
        return settings;
    }

    @Override
    public Sink create(OtlpSettings settings, SinkContext context) {
        return new OtlpSink(settings);
    }

    private static TlsFiles readTls(SettingsReader tls, List<ConfigProblem> problems) {
        Path ca = file(tls, "ca-file");
        Path cert = file(tls, "cert-file");
        Path key = file(tls, "key-file");
        boolean insecure = tls.has("insecure-skip-verify") && tls.bool("insecure-skip-verify");
        if (cert != null && key == null) {
            tls.problem(
                    "key-file",
                    "missing: cert-file is set, so mTLS needs its private key (expected key-file = "
                            + "\"/path/client.key\")");
        }
        if (key != null && cert == null) {
            tls.problem(
                    "cert-file",
                    "missing: key-file is set, so mTLS needs the client certificate (expected "
                            + "cert-file = \"/path/client.crt\")");
        }
        return new TlsFiles(ca, cert, key, insecure);
    }

    private static Path file(SettingsReader r, String key) {
        if (r.optionalString(key).isEmpty()) {
            return null;
        }
        return r.file(key, MAX_TLS_FILE_SIZE).orElse(Path.of(r.string(key)));
    }

    private URI perSignal(
            SettingsReader r,
            String variable,
            URI base,
            OtlpProtocol protocol,
            String path,
            List<ConfigProblem> problems) {
        if (env.containsKey(variable)) {
            return endpoint(r, "endpoint", variable, env.get(variable), protocol, problems);
        }
        return signalEndpoint(base, protocol, path);
    }

    private static URI signalEndpoint(URI base, OtlpProtocol protocol, String signalPath) {
        if (base == null || protocol == OtlpProtocol.GRPC) {
            return base;
        }
        String path = base.getPath() == null ? "" : base.getPath();
        path = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return base.resolve(path + signalPath);
    }

    private static URI endpoint(
            SettingsReader r,
            String key,
            String source,
            String value,
            OtlpProtocol protocol,
            List<ConfigProblem> problems) {
        String expected = " (expected a URL such as " + protocol.defaultEndpoint.replace("localhost", "collector")
                + " or https://collector:" + (protocol == OtlpProtocol.GRPC ? "4317" : "4318") + ")";
        try {
            URI uri = new URI(value.strip());
            if (uri.getScheme() == null
                    || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                problem(
                        r,
                        key,
                        source,
                        "bad endpoint URL \"" + value + "\": the scheme must be http or https" + expected,
                        problems);
                return null;
            }
            if (uri.getHost() == null) {
                problem(r, key, source, "bad endpoint URL \"" + value + "\": no host" + expected, problems);
                return null;
            }
            return uri;
        } catch (URISyntaxException e) {
            problem(r, key, source, "bad endpoint URL \"" + value + "\": " + e.getReason() + expected, problems);
            return null;
        }
    }

    private static void parseEnvHeaders(
            SettingsReader r, String value, Map<String, String> out, List<ConfigProblem> problems) {
        if (value == null || value.isBlank()) {
            return;
        }
        for (String pair : value.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                problem(
                        r,
                        "headers",
                        "OTEL_EXPORTER_OTLP_HEADERS",
                        "bad entry (expected name=value pairs separated " + "by commas)",
                        problems);
                continue;
            }
            out.put(
                    URLDecoder.decode(pair.substring(0, eq).strip(), StandardCharsets.UTF_8)
                            .toLowerCase(Locale.ROOT),
                    URLDecoder.decode(pair.substring(eq + 1).strip(), StandardCharsets.UTF_8));
        }
    }

    /** A problem about a value that came from the config ({@code source} = key) or from an environment variable. */
    private static void problem(
            SettingsReader r, String key, String source, String message, List<ConfigProblem> problems) {
        if (source.equals(key)) {
            r.problem(key, message);
        } else {
            problems.add(new ConfigProblem("environment variable " + source, -1, r.path(key), message));
        }
    }
}
