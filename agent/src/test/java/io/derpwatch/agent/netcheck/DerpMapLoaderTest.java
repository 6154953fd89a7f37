package io.derpwatch.agent.netcheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpMapCodec;
import io.derpwatch.agent.derp.DerpMapException;
import io.derpwatch.agent.localapi.LocalApiClient;
import io.derpwatch.agent.localapi.LocalApiResponse;
import io.derpwatch.agent.net.NettyTransport;
import io.derpwatch.config.NetcheckSettings.DerpMapSettings;
import io.derpwatch.lab.LocalApiEmulator;
import io.derpwatch.lab.net.LabCertificate;
import io.derpwatch.lab.net.LabDerpHttpServer;
import io.derpwatch.lab.net.LabEventLoops;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DERP map sources against real peers: a lab HTTPS server for the URL, files, a LocalAPI body supplier. */
class DerpMapLoaderTest {
    private static final String LAB_REGION = "{\"900\": {\"RegionCode\": \"lab\", \"RegionName\": \"Lab\", "
            + "\"Nodes\": [{\"Name\": \"900a\", \"RegionID\": 900, \"HostName\": \"derp.lab.test\", "
            + "\"IPv4\": \"127.0.0.1\", \"IPv6\": \"none\", \"STUNPort\": 3478}]}}";
    private static EventLoopGroup group;
    private static LabDerpHttpServer server;
    private static SslContext clientTls;
    private static NetcheckProber prober;
    private static byte[] defaultMap;

    @BeforeAll
    static void start() throws Exception {
        group = LabEventLoops.newGroup(1);
        LabCertificate cert = LabCertificate.generate(List.of("derpmap.lab.test"));
        server = LabDerpHttpServer.https(
                group,
                new InetSocketAddress("127.0.0.1", 0),
                SslContextBuilder.forServer(cert.keyManagerFactory()).build(),
                200);
        defaultMap = Files.readAllBytes(fixture("derpmap-default-01.json"));
        server.serveDerpMap(defaultMap);
        clientTls = SslContextBuilder.forClient()
                .trustManager(cert.trustManagerFactory())
                .build();
        prober = new NetcheckProber(
                group.next(),
                NettyTransport.forGroup(group),
                NetcheckTestSupport.settings(Map.of()),
                clientTls,
                r -> {},
                Clock.systemUTC(),
                80);
    }

    @AfterAll
    static void stop() throws Exception {
        if (prober != null) {
            prober.close();
            server.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private static Path fixture(String name) {
        return NetcheckTestSupport.fixtures().resolve("tailscale").resolve(name);
    }

    private static String url() {
        return "https://127.0.0.1:" + server.address().getPort() + "/derpmap/default";
    }

    private static DerpMapLoader loader(DerpMapSettings s, Supplier<CompletableFuture<byte[]>> localApi)
            throws DerpMapException {
        return new DerpMapLoader(s, new DerpMapCodec(), localApi, prober.http(), ForkJoinPool.commonPool());
    }

    private static DerpMapSettings settings(String source, String file, boolean omit, String regions) {
        return new DerpMapSettings(source, url(), file, Duration.ofMinutes(5), omit, regions);
    }

    private static DerpMap load(DerpMapLoader l) throws Exception {
        return l.load().get(10, TimeUnit.SECONDS);
    }

    @Test
    void localApiMap_isUsed_withConfiguredRegionsAdded() throws Exception {
        DerpMap m = load(loader(
                settings("localapi", "", false, LAB_REGION), () -> CompletableFuture.completedFuture(defaultMap)));

        assertThat(m.regions()).hasSize(13).containsKeys(1, 12, 900);
        assertThat(m.regions().get(900).nodes().get(0).ipv4()).isEqualTo("127.0.0.1");
        assertThat(server.latencyChecks()).isZero();
    }

    @Test
    void localApiEmulator_mapIsRead_andAMissingMapFallsBackToTheUrl(@TempDir Path dir) throws Exception {
        try (LocalApiEmulator tailscaled = LocalApiEmulator.start(dir.resolve("tailscaled.sock"))) {
            LocalApiClient client = new LocalApiClient(group, tailscaled.socket(), Duration.ofSeconds(5), 1 << 20);
            DerpMapLoader l = loader(
                    settings("localapi", "", false, "{}"),
                    () -> client.get(io.derpwatch.agent.localapi.LocalApiPaths.DERP_MAP)
                            .thenApply(LocalApiResponse::body));

            int fetches = server.derpMapRequests();
            DerpMap fromTailscaled = load(l);
            assertThat(server.derpMapRequests()).isEqualTo(fetches);
            tailscaled.update(s -> s.withDerpMapPresent(false)); // logged out: tailscaled answers null
            DerpMap fallback = load(l);

            assertThat(fromTailscaled.regions()).isNotEmpty();
            assertThat(server.derpMapRequests()).isEqualTo(fetches + 1);
            assertThat(fallback.regions()).hasSize(12);
        }
    }

    @Test
    void localApiWithoutMap_fallsBackToTheUrl() throws Exception {
        DerpMap m = load(loader(
                settings("localapi", "", false, "{}"),
                () -> CompletableFuture.completedFuture("null".getBytes(StandardCharsets.UTF_8))));

        assertThat(m.regions()).hasSize(12);
    }

    @Test
    void noLocalApiClient_usesTheUrl() throws Exception {
        assertThat(load(loader(settings("localapi", "", false, "{}"), null)).regions())
                .hasSize(12);
    }

    @Test
    void url_overTlsWithTheTrustedCertificate() throws Exception {
        assertThat(load(loader(settings("url", "", false, "{}"), null)).regions())
                .hasSize(12);
    }

    @Test
    void omitDefaultRegions_keepsOnlyTheConfiguredOnes() throws Exception {
        DerpMap m = load(loader(settings("url", "", true, LAB_REGION), null));

        assertThat(m.regions()).containsOnlyKeys(900);
    }

    @Test
    void policyFileForm_isAccepted(@TempDir Path dir) throws Exception {
        DerpMap m =
                load(loader(settings("file", fixture("derpmap-03-policy.json").toString(), false, "{}"), null));

        assertThat(m.omitDefaultRegions()).isTrue();
        assertThat(m.regions().keySet()).allSatisfy(id -> assertThat(id).isBetween(900, 999));
        assertThat(m.regions().get(900).code()).isEqualTo("rno2");
    }

    @Test
    void loadFrom_acceptsAFileOrAUrl() throws Exception {
        DerpMapLoader l = loader(settings("localapi", "", false, "{}"), null);
        assertThat(l.loadFrom(fixture("derpmap-default-01.json").toString())
                        .get(10, TimeUnit.SECONDS)
                        .regions())
                .hasSize(12);
        assertThat(l.loadFrom(url()).get(10, TimeUnit.SECONDS).regions()).hasSize(12);
    }

    @Test
    void missingFile_failsNamingTheFile(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nope.json");
        CompletableFuture<DerpMap> f =
                loader(settings("file", missing.toString(), false, "{}"), null).load();

        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .rootCause()
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
        assertThat(DerpMapLoader.rootMessage(f.handle((m, e) -> e).get())).contains(missing.toString());
    }

    @Test
    void malformedFile_failsSayingWhere(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"Regions\": {\"1\": ");
        Throwable e = loader(settings("file", bad.toString(), false, "{}"), null)
                .load()
                .handle((m, x) -> x)
                .get(10, TimeUnit.SECONDS);

        assertThat(DerpMapLoader.rootMessage(e)).contains(bad.toString()).contains("malformed DERP map JSON");
    }

    @Test
    void urlAnsweringAnError_failsWithTheStatus() throws Exception {
        DerpMapSettings s = new DerpMapSettings(
                "url",
                "https://127.0.0.1:" + server.address().getPort() + "/nothing-here",
                "",
                Duration.ofMinutes(5),
                false,
                "{}");
        Throwable e = loader(s, null).load().handle((m, x) -> x).get(10, TimeUnit.SECONDS);

        assertThat(DerpMapLoader.rootMessage(e)).contains("HTTP 404");
    }

    @Test
    void localApiFailure_isReported() throws Exception {
        Throwable e = loader(
                        settings("localapi", "", false, "{}"),
                        () -> CompletableFuture.failedFuture(new java.io.IOException("connection refused")))
                .load()
                .handle((m, x) -> x)
                .get(10, TimeUnit.SECONDS);

        assertThat(DerpMapLoader.rootMessage(e)).contains("LocalAPI").contains("connection refused");
    }
}
