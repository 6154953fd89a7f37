package io.derpwatch.agent.localapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.agent.localapi.LocalApiException.Kind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ResourceLeakDetector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RecordStreamHandlerTest {
    private static final Path SOCKET = Path.of("/run/test.sock");

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    private final List<String> records = new ArrayList<>();
    private final LocalApiStream stream = new LocalApiStream();
    private final EmbeddedChannel ch = new EmbeddedChannel(
            new RecordStreamHandler(64, SOCKET, stream, r -> records.add(new String(r, StandardCharsets.UTF_8))));

    @AfterEach
    void closeChannel() {
        ch.finishAndReleaseAll(); // in the agent the stream's channel always closes; here the test closes it
    }

    private static HttpResponse head(HttpResponseStatus status) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
        head.headers().set("Tailscale-Version", "1.102.1");
        return head;
    }

    private static HttpContent chunk(String s) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
    }

    private static Kind failure(LocalApiStream s) {
        try {
            s.ended().get();
            throw new AssertionError("stream did not fail");
        } catch (ExecutionException e) {
            return ((LocalApiException) e.getCause()).kind();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void records_areDeliveredLineByLine_acrossAndWithinChunks() {
        ch.writeInbound(head(HttpResponseStatus.OK));
        assertThat(stream.opened()).isCompletedWithValue("1.102.1");
        ch.writeInbound(chunk("{\"a\":1}\n{\"b\""));
        assertThat(records).containsExactly("{\"a\":1}");
        ch.writeInbound(chunk(":2}\r\n\n{\"c\":3}\n"));
        assertThat(records).containsExactly("{\"a\":1}", "{\"b\":2}", "{\"c\":3}");
        assertThat(stream.ended()).isNotDone();
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void inSkipMode_aRecordOverTheCap_isSkippedToItsNewlineAndReported_andTheStreamReadsOn() {
        List<String> skipped = new ArrayList<>();
        LocalApiStream skipping = new LocalApiStream();
        EmbeddedChannel sc = new EmbeddedChannel(new RecordStreamHandler(
                64,
                SOCKET,
                skipping,
                r -> records.add(new String(r, StandardCharsets.UTF_8)),
                () -> skipped.add("oversized")));
        try {
            sc.writeInbound(head(HttpResponseStatus.OK), chunk("{\"ok\":1}\n" + "x".repeat(40)));
            sc.writeInbound(chunk("y".repeat(40)));
            assertThat(skipped).containsExactly("oversized");
            sc.writeInbound(chunk("z".repeat(200)));
            sc.writeInbound(chunk("zz\n{\"ok\":2}\n"));
            assertThat(records).containsExactly("{\"ok\":1}", "{\"ok\":2}");
            assertThat(skipped).hasSize(1);
            assertThat(skipping.ended()).isNotDone();
            assertThat(sc.isOpen()).isTrue();
        } finally {
            sc.finishAndReleaseAll();
        }
    }

    @Test
    void recordOverTheCap_failsTheStreamAndClosesIt_evenBeforeItsNewline() {
        ch.writeInbound(head(HttpResponseStatus.OK), chunk("{\"ok\":1}\n"));
        ch.writeInbound(chunk("x".repeat(40)));
        assertThat(stream.ended()).isNotDone();
        ch.writeInbound(chunk("y".repeat(40)));
        assertThat(failure(stream)).isEqualTo(Kind.RECORD_TOO_LARGE);
        assertThat(records).containsExactly("{\"ok\":1}");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void recordOfExactlyTheCap_isDelivered() {
        ch.writeInbound(head(HttpResponseStatus.OK), chunk("z".repeat(64) + "\n"));
        assertThat(records).containsExactly("z".repeat(64));
    }

    @Test
    void cleanEndOfResponse_endsTheStreamNormally_withAnUnterminatedLastRecord() {
        ch.writeInbound(head(HttpResponseStatus.OK), chunk("{\"a\":1}\n"));
        ch.writeInbound(new DefaultLastHttpContent(Unpooled.copiedBuffer("{\"z\":0}", StandardCharsets.UTF_8)));
        assertThat(records).containsExactly("{\"a\":1}", "{\"z\":0}");
        assertThat(stream.ended()).isCompleted();
        assertThat(stream.ended().isCompletedExceptionally()).isFalse();
    }

    @Test
    void connectionLostMidStream_isTruncated() {
        ch.writeInbound(head(HttpResponseStatus.OK), chunk("{\"a\":1}\n{\"half"));
        ch.close();
        assertThat(failure(stream)).isEqualTo(Kind.TRUNCATED);
        assertThat(records).containsExactly("{\"a\":1}");
    }

    @Test
    void non2xx_failsWithTheStatusAndTheStartOfTheBody_andNeverOpens() throws Exception {
        ch.writeInbound(head(HttpResponseStatus.NOT_FOUND));
        ch.writeInbound(
                new DefaultLastHttpContent(Unpooled.copiedBuffer("404 page not found\n", StandardCharsets.UTF_8)));
        try {
            stream.ended().get();
        } catch (ExecutionException e) {
            assertThat(e.getCause()).hasMessageContaining("404").hasMessageContaining("404 page not found");
            assertThat(((LocalApiException) e.getCause()).kind()).isEqualTo(Kind.HTTP_STATUS);
        }
        assertThat(stream.ended().isCompletedExceptionally()).isTrue();
        assertThat(stream.opened().isCompletedExceptionally()).isTrue();
        assertThat(records).isEmpty();
    }

    @Test
    void closeByTheConsumer_stopsDeliveryAtOnce() {
        LocalApiStream own = new LocalApiStream();
        List<String> got = new ArrayList<>();
        EmbeddedChannel c = new EmbeddedChannel(new RecordStreamHandler(64, SOCKET, own, r -> {
            got.add(new String(r, StandardCharsets.UTF_8));
            own.close();
        }));
        own.attach(c);
        c.writeInbound(head(HttpResponseStatus.OK), chunk("{\"a\":1}\n{\"b\":2}\n"));
        assertThat(got).containsExactly("{\"a\":1}");
        assertThat(c.isOpen()).isFalse();
        ByteBuf leftover = c.readInbound();
        assertThat(leftover).isNull();
    }
}
