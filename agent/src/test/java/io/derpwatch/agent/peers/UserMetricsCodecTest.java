package io.derpwatch.agent.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.derpwatch.agent.localapi.LocalApiClient;
import io.derpwatch.agent.localapi.LocalApiException;
import io.derpwatch.agent.net.NettyTransport;
import io.derpwatch.lab.LocalApiEmulator;
import io.netty.channel.EventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserMetricsCodecTest {
    @TempDir
    Path dir;

    private LocalApiEmulator lab;
    private EventLoopGroup group;
    private LocalApiClient client;
    private final UserMetricsCodec codec = new UserMetricsCodec();

    @BeforeEach
    void start() {
        lab = LocalApiEmulator.start(dir.resolve("ts.sock"));
        group = NettyTransport.detect().newGroup(1);
        client = new LocalApiClient(group, lab.socket(), Duration.ofSeconds(5), 1 << 20);
    }

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        lab.close();
    }

    @Test
    void labUserMetrics_overTheRealSocket_becomePointsUnderTheirOwnNames() throws Exception {
        byte[] body =
                client.get("/localapi/v0/usermetrics").get(10, TimeUnit.SECONDS).body();

        UserMetricsCodec.Result r = codec.parse(body);

        assertThat(r.rejected()).isZero();
        assertThat(r.points())
                .anySatisfy(p -> {
                    assertThat(p.name()).isEqualTo("tailscaled_inbound_bytes_total");
                    assertThat(p.labels()).isEqualTo(Map.of("path", "direct_ipv4"));
                    assertThat(p.value()).isEqualTo(1234567);
                    assertThat(p.counter()).isTrue();
                    assertThat(p.help()).startsWith("Counts the number of bytes received");
                })
                .anySatisfy(p -> {
                    assertThat(p.name()).isEqualTo("tailscaled_home_derp_region_id");
                    assertThat(p.type()).isEqualTo("gauge");
                    assertThat(p.value()).isEqualTo(4);
                })
                .anySatisfy(p -> assertThat(p.labels()).containsEntry("path", "peer_relay_ipv4"));
    }

    @Test
    void anOlderDaemon_answers404_whichTheReaderCanTellApart_byTheStatusCode() {
        lab.userMetrics().absent();

        assertThatThrownBy(() -> client.get("/localapi/v0/usermetrics").get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(LocalApiException.class)
                .hasMessageContaining("404")
                .satisfies(e -> {
                    LocalApiException failure = (LocalApiException) e;
                    assertThat(failure.kind()).isEqualTo(LocalApiException.Kind.HTTP_STATUS);
                    assertThat(failure.httpStatus()).isEqualTo(404);
                });
    }

    @Test
    void aBadLine_isCountedAndSkipped_theRestKept() {
        UserMetricsCodec.Result r =
                codec.parse(("# TYPE a gauge\na 1\nb{x=\"1\" 2\nc{path=\"a\\\"b\"} NaN\nd notanumber\n")
                        .getBytes(StandardCharsets.UTF_8));

        assertThat(r.points()).extracting(UserMetricPoint::name).containsExactly("a", "c");
        assertThat(r.points().get(1).labels()).containsEntry("path", "a\"b");
        assertThat(r.rejected()).isEqualTo(2);
        assertThat(r.firstProblem()).startsWith("line 3:");
    }
}
