package io.derpwatch.agent.localapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.agent.localapi.LocalApiException.Kind;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How connect and I/O failures become error kinds. The messages are the ones the two transports produce on
 * Linux (seen by connecting as an unprivileged user to a root-owned 0600 socket, to a missing path, and to a
 * stale socket); the real-socket cases run in {@link LocalApiClientTest} and {@link PermissionDeniedSocketTest}.
 */
class SocketErrorClassifierTest {
    @TempDir
    Path dir;

    @Test
    void epollPermissionDenied_isPermissionDenied() {
        // what EpollDomainSocketChannel's connect throws for EACCES
        Throwable epoll = new ConnectException("connect(..) failed with error(-13): Permission denied");

        assertThat(kind(epoll)).isEqualTo(Kind.PERMISSION_DENIED);
    }

    @Test
    void nioPermissionDenied_isPermissionDenied() {
        // what NioDomainSocketChannel's connect throws for EACCES (the JDK reports it as a BindException)
        Throwable nio = new SocketException("Permission denied");
        nio.initCause(new BindException("Permission denied"));

        assertThat(kind(nio)).isEqualTo(Kind.PERMISSION_DENIED);
    }

    @Test
    void epollMissingSocket_isSocketMissing() {
        assertThat(kind(new FileNotFoundException())).isEqualTo(Kind.SOCKET_MISSING);
    }

    @Test
    void nioMissingSocket_isSocketMissing() {
        assertThat(kind(new SocketException("No such file or directory"))).isEqualTo(Kind.SOCKET_MISSING);
    }

    @Test
    void refused_isConnectionRefusedOnBothTransports() {
        assertThat(kind(new ConnectException("connect(..) failed with error(-111): Connection refused")))
                .isEqualTo(Kind.CONNECTION_REFUSED);
        assertThat(kind(new ConnectException("Connection refused"))).isEqualTo(Kind.CONNECTION_REFUSED);
    }

    @Test
    void wrappedCause_isFoundDownTheChain() {
        Throwable wrapped = new IOException(
                "connect failed", new ConnectException("connect(..) failed with error(-13): Permission denied"));

        assertThat(kind(wrapped)).isEqualTo(Kind.PERMISSION_DENIED);
    }

    @Test
    void resetAndClosed_areConnectionClosed() {
        assertThat(kind(new IOException("Connection reset by peer"))).isEqualTo(Kind.CONNECTION_CLOSED);
        assertThat(kind(new ClosedChannelException())).isEqualTo(Kind.CONNECTION_CLOSED);
    }

    @Test
    void errno_mapsTheThreeConnectErrors() {
        assertThat(SocketErrorClassifier.fromErrno(2)).isEqualTo(Kind.SOCKET_MISSING);
        assertThat(SocketErrorClassifier.fromErrno(13)).isEqualTo(Kind.PERMISSION_DENIED);
        assertThat(SocketErrorClassifier.fromErrno(111)).isEqualTo(Kind.CONNECTION_REFUSED);
        assertThat(SocketErrorClassifier.fromErrno(5)).isNull();
    }

    @Test
    void unknownFailure_fallsBackToTheSocketFile() throws IOException {
        Path absent = dir.resolve("absent.sock");
        Path present = Files.createFile(dir.resolve("present.sock"));

        assertThat(SocketErrorClassifier.classify(new IOException("odd"), absent)
                        .kind())
                .isEqualTo(Kind.SOCKET_MISSING);
        assertThat(SocketErrorClassifier.classify(new IOException("odd"), present)
                        .kind())
                .isEqualTo(Kind.IO);
    }

    @Test
    void message_namesTheSocketAndWhatToDo() {
        LocalApiException e = SocketErrorClassifier.classify(
                new ConnectException("connect(..) failed with error(-13): Permission denied"), dir.resolve("t.sock"));

        assertThat(e.getMessage()).contains("t.sock").contains("operator");
        assertThat(e.kind().wireName()).isEqualTo("permission_denied");
        assertThat(e.kind().unreachable()).isTrue();
    }

    private Kind kind(Throwable t) {
        return SocketErrorClassifier.classify(t, dir.resolve("tailscaled.sock")).kind();
    }
}
