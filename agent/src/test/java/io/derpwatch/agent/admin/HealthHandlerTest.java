package io.derpwatch.agent.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HealthHandlerTest {
    private final AtomicReference<String> notReady = new AtomicReference<>("first sample not done yet");
    private final AtomicReference<String> dead = new AtomicReference<>();

    private FullHttpResponse request(HttpMethod method, String uri) {
        EmbeddedChannel ch = new EmbeddedChannel(new HealthHandler(notReady::get, dead::get));
        ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri));
        FullHttpResponse res = ch.readOutbound();
        ch.finishAndReleaseAll();
        return res;
    }

    private static String body(FullHttpResponse res) {
        try {
            return res.content().toString(StandardCharsets.UTF_8);
        } finally {
            res.release();
        }
    }

    @Test
    void healthz_isOk_evenBeforeTheFirstSample() {
        FullHttpResponse res = request(HttpMethod.GET, "/healthz");

        assertThat(res.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(body(res)).isEqualTo("ok\n");
    }

    @Test
    void healthz_isUnavailableWithEveryReason_whenLivenessFails() {
        dead.set("source status stalled: no completed sample for 45s (bound 34s)\nevent loop lags 12000 ms");

        FullHttpResponse res = request(HttpMethod.GET, "/healthz");

        assertThat(res.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(body(res))
                .isEqualTo("unhealthy: source status stalled: no completed sample for 45s (bound 34s)\n"
                        + "event loop lags 12000 ms\n");
    }

    @Test
    void readyz_isUnavailableWithTheReason_untilTheFirstSample() {
        FullHttpResponse res = request(HttpMethod.GET, "/readyz");

        assertThat(res.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(body(res)).isEqualTo("not ready: first sample not done yet\n");
    }

    @Test
    void readyz_isOk_afterTheFirstSample() {
        notReady.set(null);

        FullHttpResponse res = request(HttpMethod.GET, "/readyz?verbose=1");

        assertThat(res.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(body(res)).isEqualTo("ready\n");
    }

    @Test
    void unknownPath_isNotFound() {
        FullHttpResponse res = request(HttpMethod.GET, "/metrics");

        assertThat(res.status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
        res.release();
    }

    @Test
    void post_isNotAllowed() {
        FullHttpResponse res = request(HttpMethod.POST, "/healthz");

        assertThat(res.status()).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
        assertThat(res.headers().get("Allow")).isEqualTo("GET, HEAD");
        res.release();
    }
}
