package io.derpwatch.agent.localapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.derpwatch.agent.localapi.LocalApiException.Kind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpResponseDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The streaming response handler alone, fed raw HTTP bytes through Netty's decoder on an {@link EmbeddedChannel}. */
class StreamedResponseHandlerTest {
    private static final Path SOCKET = Path.of("/run/t.sock");

    /** Collects the chunks it is fed, as text; ends with their count and the whole text. */
    private static final class Recorder implements BodyReader<String> {
        final List<String> chunks = new ArrayList<>();

        @Override
        public void chunk(ByteBuffer bytes) {
            chunks.add(StandardCharsets.UTF_8.decode(bytes).toString());
        }

        @Override
        public String end() {
            return String.join("", chunks);
        }
    }

    private final Recorder recorder = new Recorder();
    private final CompletableFuture<String> result = new CompletableFuture<>();
    private final EmbeddedChannel channel =
            new EmbeddedChannel(new HttpResponseDecoder(), new StreamedResponseHandler<>(64, SOCKET, recorder, result));

    @Test
    void chunkedBody_isHandedOverPieceByPiece_andEndsWithTheReadersResult() throws Exception {
        ByteBuf in = bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\n{\"a\r\n3\r\n\":1\r\n1\r\n}\r\n0\r\n\r\n");
        channel.writeInbound(in);

        assertThat(result.get()).isEqualTo("{\"a\":1}");
        assertThat(recorder.chunks).containsExactly("{\"a", "\":1", "}");
        assertThat(in.refCnt()).isZero();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void bodyOverTheCap_failsAtTheCap_declaredOrStreamed() {
        channel.writeInbound(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + "28\r\n" + "x".repeat(40)
                + "\r\n28\r\n" + "x".repeat(40) + "\r\n"));
        assertKind(result, Kind.BODY_TOO_LARGE);

        CompletableFuture<String> declared = new CompletableFuture<>();
        new EmbeddedChannel(
                        new HttpResponseDecoder(), new StreamedResponseHandler<>(64, SOCKET, new Recorder(), declared))
                .writeInbound(bytes("HTTP/1.1 200 OK\r\nContent-Length: 65\r\n\r\n"));
        assertKind(declared, Kind.BODY_TOO_LARGE);
    }

    @Test
    void non2xx_isAnHttpStatusFailure_carryingTheStatusCode_andNothingIsFedToTheReader() {
        channel.writeInbound(bytes("HTTP/1.1 404 Not Found\r\nContent-Length: 19\r\n\r\n404 page not found\n"));

        assertKind(result, Kind.HTTP_STATUS);
        assertThatThrownBy(result::get).cause().hasMessageContaining("404 page not found");
        assertThat(failure(result).httpStatus()).isEqualTo(404);
        assertThat(recorder.chunks).isEmpty();
    }

    @Test
    void aReaderThatThrows_endsTheExchangeWithItsMessage() {
        CompletableFuture<String> r = new CompletableFuture<>();
        BodyReader<String> refusing = new BodyReader<>() {
            @Override
            public void chunk(ByteBuffer bytes) throws Exception {
                throw new Exception("status is not JSON at line 1");
            }

            @Override
            public String end() {
                return "";
            }
        };
        EmbeddedChannel ch =
                new EmbeddedChannel(new HttpResponseDecoder(), new StreamedResponseHandler<>(64, SOCKET, refusing, r));
        ch.writeInbound(bytes("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nxyz"));

        assertKind(r, Kind.MALFORMED_JSON);
        assertThatThrownBy(r::get).cause().hasMessageContaining("status is not JSON at line 1");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void closeMidBody_isTruncated() {
        channel.writeInbound(bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nnul"));
        channel.close();

        assertKind(result, Kind.TRUNCATED);
        assertThatThrownBy(result::get).cause().hasMessageContaining("3 body bytes of 10 declared");
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    private static LocalApiException failure(CompletableFuture<?> f) {
        try {
            f.get();
            throw new AssertionError("completed normally");
        } catch (ExecutionException e) {
            return (LocalApiException) e.getCause();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertKind(CompletableFuture<?> f, Kind kind) {
        assertThat(failure(f).kind()).isEqualTo(kind);
    }
}
