package io.derpwatch.agent.localapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.derpwatch.agent.localapi.LocalApiException.Kind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpResponseDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The response handler alone, fed raw HTTP bytes through Netty's decoder on an {@link EmbeddedChannel}. */
class ResponseCollectorTest {
    private static final Path SOCKET = Path.of("/run/t.sock");
    private final CompletableFuture<LocalApiResponse> result = new CompletableFuture<>();
    private final EmbeddedChannel channel =
            new EmbeddedChannel(new HttpResponseDecoder(), new ResponseCollector(64, SOCKET, result));

    @Test
    void completeResponse_isDelivered_andTheChannelClosed() throws Exception {
        ByteBuf in = bytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTailscale-Version: 1.2.3\r\n"
                + "Content-Length: 4\r\n\r\nnull");

        channel.writeInbound(in);

        LocalApiResponse r = result.get();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).isEqualTo("application/json");
        assertThat(r.tailscaleVersion()).isEqualTo("1.2.3");
        assertThat(r.bodyText()).isEqualTo("null");
        assertThat(in.refCnt()).isZero();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void chunkedResponse_isReassembled() throws Exception {
        channel.writeInbound(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\n{\"a\r\n3\r\n\":1\r\n1\r\n}\r\n0\r\n\r\n"));

        assertThat(result.get().bodyText()).isEqualTo("{\"a\":1}");
    }

    @Test
    void declaredBodyOverTheLimit_failsBeforeReadingIt() {
        ByteBuf in = bytes("HTTP/1.1 200 OK\r\nContent-Length: 65\r\n\r\n");

        channel.writeInbound(in);

        assertKind(Kind.BODY_TOO_LARGE);
        assertThat(in.refCnt()).isZero();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void streamedBodyOverTheLimit_failsAtTheLimit() {
        channel.writeInbound(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + "28\r\n" + "x".repeat(40)
                + "\r\n28\r\n" + "x".repeat(40) + "\r\n"));

        assertKind(Kind.BODY_TOO_LARGE);
    }

    @Test
    void closeMidBody_isTruncated() {
        channel.writeInbound(bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nnul"));
        channel.close();

        assertKind(Kind.TRUNCATED);
        assertThatThrownBy(result::get).cause().hasMessageContaining("3 body bytes of 10 declared");
    }

    @Test
    void closeBeforeAnyResponse_isConnectionClosed() {
        channel.close();

        assertKind(Kind.CONNECTION_CLOSED);
    }

    @Test
    void non2xx_isHttpStatusWithTheBody() {
        channel.writeInbound(bytes("HTTP/1.1 403 Forbidden\r\nContent-Length: 25\r\n\r\ninvalid localapi request\n"));

        assertKind(Kind.HTTP_STATUS);
        assertThatThrownBy(result::get).cause().hasMessageContaining("403 Forbidden: invalid localapi request");
    }

    @Test
    void notHttp_isProtocolError() {
        channel.writeInbound(bytes("SSH-2.0-OpenSSH_9.2\r\n\r\n"));

        assertKind(Kind.PROTOCOL);
    }

    private void assertKind(Kind kind) {
        assertThat(result).isCompletedExceptionally();
        assertThatThrownBy(result::get)
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(
                        LocalApiException.class, e -> assertThat(e.kind()).isEqualTo(kind));
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }
}
