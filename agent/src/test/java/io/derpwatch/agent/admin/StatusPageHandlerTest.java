package io.derpwatch.agent.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.view.StateViewSource;
import io.derpwatch.agent.view.ViewSource;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class StatusPageHandlerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ViewSource view = StateViewSource.subscribe(
            "agent", new StateStore(), 5, List::of, Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC));

    private FullHttpResponse request(HttpMethod method, String uri) {
        EmbeddedChannel ch = new EmbeddedChannel(
                new StatusPageHandler(view, StatusPageHandler.page()), new HealthHandler(() -> null, () -> null));
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
    void root_servesTheSelfContainedPage_thatFetchesNothingFromElsewhere() {
        FullHttpResponse res = request(HttpMethod.GET, "/");

        assertThat(res.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(res.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("text/html; charset=utf-8");
        assertThat(res.headers().get("Content-Security-Policy")).contains("default-src 'none'", "connect-src 'self'");
        String html = body(res);
        assertThat(html).contains("<title>derpwatch</title>", "/api/state");
        // the only absolute URL is the SVG namespace, which is a name and is never fetched
        Matcher urls = Pattern.compile("https?://[^\"'\\s)]+").matcher(html);
        while (urls.find()) {
            assertThat(urls.group()).isEqualTo("http://www.w3.org/2000/svg");
        }
        assertThat(html).doesNotContain("<link", "@import", "@font-face", "<script src", "<img");
    }

    @Test
    void apiState_isTheViewAsJson_withPlaceholdersBeforeTheFirstSample() throws Exception {
        FullHttpResponse res = request(HttpMethod.GET, "/api/state");

        assertThat(res.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(res.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
        assertThat(res.headers().get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("no-store");
        JsonNode state = JSON.readTree(body(res));
        assertThat(state.path("schemaVersion").asInt()).isEqualTo(1);
        assertThat(state.path("generatedAt").asText()).isEqualTo("2026-12-01T12:00:00Z");
        assertThat(state.at("/home/reason").asText()).isEqualTo("no_sample_yet");
        assertThat(state.path("netcheck").isNull()).isTrue();
        assertThat(state.path("regions")).isEmpty();
        assertThat(state.path("insights")).isEmpty();
    }

    @Test
    void head_hasTheLengthButNoBody() {
        FullHttpResponse res = request(HttpMethod.HEAD, "/");

        assertThat(res.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(res.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isPositive();
        assertThat(body(res)).isEmpty();
    }

    @Test
    void otherPaths_goOnToTheHealthHandler() {
        assertThat(body(request(HttpMethod.GET, "/healthz"))).isEqualTo("ok\n");
        assertThat(request(HttpMethod.GET, "/nope").status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
        assertThat(request(HttpMethod.POST, "/api/state").status()).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
    }
}
