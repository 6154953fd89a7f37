package io.derpwatch.agent.netcheck;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpMapCodec;
import io.derpwatch.agent.derp.DerpMapException;
import io.derpwatch.config.NetcheckSettings.DerpMapSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Loads the DERP map netcheck measures, from the configured source ({@code localapi}, falling back to the URL
 * when the node has no map; {@code url}; {@code file}), then applies the configured extra regions. Never blocks
 * the event loop: HTTP is Netty's, a file is read on {@code fileExecutor}.
 */
final class DerpMapLoader {
    static final int MAX_MAP_BYTES = 4 * 1024 * 1024;
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);

    private final DerpMapSettings settings;
    private final DerpMapCodec codec;
    private final @Nullable Supplier<CompletableFuture<byte[]>> localApi;
    private final @Nullable Supplier<CompletableFuture<DerpMap>> nodeMap;
    private final HttpGetter http;
    private final Executor fileExecutor;
    private final DerpMap extraRegions;

    /**
     * @param localApi {@code GET /localapi/v0/derpmap}'s body; null when no LocalAPI client is wired (then the URL
     *                 is used)
     * @throws DerpMapException when the configured extra regions do not parse
     */
    DerpMapLoader(
            DerpMapSettings settings,
            DerpMapCodec codec,
            Supplier<CompletableFuture<byte[]>> localApi,
            HttpGetter http,
            Executor fileExecutor)
            throws DerpMapException {
        this(settings, codec, localApi, null, http, fileExecutor);
    }

    private DerpMapLoader(
            DerpMapSettings settings,
            DerpMapCodec codec,
            @Nullable Supplier<CompletableFuture<byte[]>> localApi,
            @Nullable Supplier<CompletableFuture<DerpMap>> nodeMap,
            HttpGetter http,
            Executor fileExecutor)
            throws DerpMapException {
        this.settings = settings;
        this.codec = codec;
        this.localApi = localApi;
        this.nodeMap = nodeMap;
        this.http = http;
        this.fileExecutor = fileExecutor;
        this.extraRegions =
                codec.parse(("{\"Regions\":" + settings.regionsJson() + "}").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A loader whose {@code localapi} source is the node's DERP map as the agent already has it (the state
     * store's, read by the DERP map source): one LocalAPI DERP-map read for the home rule and netcheck.
     */
    static DerpMapLoader forNodeMap(
            DerpMapSettings settings,
            DerpMapCodec codec,
            Supplier<CompletableFuture<DerpMap>> nodeMap,
            HttpGetter http,
            Executor fileExecutor)
            throws DerpMapException {
        return new DerpMapLoader(settings, codec, null, nodeMap, http, fileExecutor);
    }

    /** Loads the map, with the configured extra regions applied; fails with a message saying what went wrong. */
    public CompletableFuture<DerpMap> load() {
        CompletableFuture<DerpMap> base = switch (settings.source()) {
            case "file" -> file(Path.of(settings.file()));
            case "url" -> url(settings.url());
            default -> localApiOrUrl();
        };
        return base.thenApply(map -> map.withRegions(extraRegions, settings.omitDefaultRegions()));
    }

    /** Loads the map from {@code location}: an {@code http(s)://} URL or a file path (the CLI's --derp-map). */
    public CompletableFuture<DerpMap> loadFrom(String location) {
        CompletableFuture<DerpMap> base = location.startsWith("https://") || location.startsWith("http://")
                ? url(location)
                : file(Path.of(location));
        return base.thenApply(map -> map.withRegions(extraRegions, settings.omitDefaultRegions()));
    }

    private CompletableFuture<DerpMap> localApiOrUrl() {
        if (nodeMap != null) {
            CompletableFuture<DerpMap> node;
            try {
                node = nodeMap.get();
            } catch (RuntimeException e) {
                node = CompletableFuture.failedFuture(e);
            }
            return node.handle((map, e) -> {
                        if (e != null) {
                            throw new CompletionException(
                                    new DerpMapException("LocalAPI DERP map unavailable (" + rootMessage(e) + ")", e));
                        }
                        return map;
                    })
                    .thenCompose(map -> map.isEmpty() ? url(settings.url()) : CompletableFuture.completedFuture(map));
        }
        if (localApi == null) {
            return url(settings.url());
        }
        CompletableFuture<byte[]> body;
        try {
            body = localApi.get();
        } catch (RuntimeException e) {
            body = CompletableFuture.failedFuture(e);
        }
        return body.handle((bytes, e) -> {
                    if (e != null) {
                        throw new CompletionException(
                                new DerpMapException("LocalAPI DERP map unavailable (" + rootMessage(e) + ")", e));
                    }
                    return parse(bytes, "LocalAPI /localapi/v0/derpmap");
                })
                .thenCompose(map -> map.isEmpty() ? url(settings.url()) : CompletableFuture.completedFuture(map));
    }

    private CompletableFuture<DerpMap> url(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new DerpMapException("bad DERP map URL " + url));
        }
        return http.get(uri, FETCH_TIMEOUT, MAX_MAP_BYTES).handle((r, e) -> {
            if (e != null) {
                throw new CompletionException(
                        new DerpMapException("cannot fetch DERP map from " + url + ": " + rootMessage(e), e));
            }
            if (r.status() != 200) {
                throw new CompletionException(new DerpMapException("DERP map " + url + " answered HTTP " + r.status()));
            }
            return parse(r.body(), url);
        });
    }

    private CompletableFuture<DerpMap> file(Path path) {
        return CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                if (Files.size(path) > MAX_MAP_BYTES) {
                                    throw new CompletionException(new DerpMapException(
                                            "DERP map file " + path + " is larger than " + MAX_MAP_BYTES + " bytes"));
                                }
                                return Files.readAllBytes(path);
                            } catch (IOException e) {
                                throw new CompletionException(
                                        new DerpMapException("cannot read DERP map file " + path + ": " + e, e));
                            }
                        },
                        fileExecutor)
                .thenApply(bytes -> parse(bytes, path.toString()));
    }

    private DerpMap parse(byte[] bytes, String origin) {
        try {
            return codec.parse(bytes);
        } catch (DerpMapException e) {
            throw new CompletionException(new DerpMapException(origin + ": " + e.getMessage(), e));
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
